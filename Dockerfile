# paperbot: slim, non-root, data in a volume (with numba's compiled scoring loops: kept across restarts).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY recommender ./recommender
RUN pip install --no-cache-dir --prefix=/install ".[postgres]"

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PAPERBOT_DATA_DIR=/data \
    NUMBA_CACHE_DIR=/data/numba
COPY --from=build /install /usr/local
RUN useradd --create-home --uid 10001 paperbot \
    && mkdir -p /data && chown paperbot:paperbot /data
USER paperbot
WORKDIR /home/paperbot
VOLUME ["/data"]
# Healthy while the bot is connected to Discord (it rewrites /data/heartbeat every 30 s).
HEALTHCHECK --interval=60s --timeout=30s --start-period=10m --retries=3 CMD ["paperbot", "health"]
ENTRYPOINT ["paperbot"]
CMD ["run"]
