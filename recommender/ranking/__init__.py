"""The ranking maths: text, the paper index, the community and semantic models, profile
vectors, scoring and ranking. NumPy, SciPy and scikit-learn only: never SQLAlchemy,
`recommender.storage`, the stores or anything above."""
