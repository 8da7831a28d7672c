"""Whole-life tests: a server over simulated days, through PaperService."""
