FROM python:3.11-slim
WORKDIR /app
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
# What requirements-image.lock pins (the run-time dependencies and the image extra), hash-checked.
COPY requirements-image.lock ./
RUN pip install --no-cache-dir --no-deps --require-hashes -r requirements-image.lock
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY workers workers
COPY db db
RUN pip install --no-cache-dir --no-deps . && pip check
USER 65534:65534
EXPOSE 3000
ENTRYPOINT ["content-factory"]
CMD ["serve"]
