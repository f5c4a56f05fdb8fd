# Executor image of the Python algorithms (causal-learn PC, FCI, GES; `executors/python`).
# Build from the repository root:
#
#   docker build -f deploy/images/executor-python.Dockerfile -t "$REGISTRY/causeway_execution_python:$VERSION" .
#
# MPCSL convention: ENTRYPOINT is the interpreter; the scheduler passes the script
# (the catalogue's script_filename, relative to /app) and its options as arguments.

FROM python:3.12.8-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# Dependencies first: a script change does not reinstall them.
COPY executors/python/requirements.txt /app/requirements.txt
RUN pip install --no-cache-dir -r /app/requirements.txt
COPY executors/python/ /app/
USER 10001:10001
ENTRYPOINT ["python"]
