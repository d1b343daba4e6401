# syntax=docker/dockerfile:1
# ci-triage image: `ci-triage serve` by default; `web`, `worker` and `migrate` for scale-out (see manifests/).
#
# Chromium for snapshots: Debian's `chromium` package, driven by Playwright through CHROMIUM_PATH.
# Why not `playwright install --with-deps chromium`: it downloads a browser build from Playwright's CDN at build
# time (not reproducible from the Debian archive, and unreachable from air-gapped builders), while Debian's
# package gets security updates with the rest of the base image and is the browser the test suite runs.
# Build:  docker build -t ci-triage:0.1.0 .
# Run:    docker run -p 8000:8000 -v ci-triage-data:/var/lib/ci-triage ci-triage:0.1.0

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- build stage: a virtualenv with the dependencies, the sources in /app (compilers stay here) ----
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
# Debian packages are not version-pinned: the base image tag pins the Debian release, and a rebuild should
# pick up its security updates (Chromium's above all).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Dependencies first, so a source change does not reinstall them: install from the project metadata only.
COPY pyproject.toml README.md ./
RUN mkdir -p githubapp analysis storage snapshot \
 && touch githubapp/__init__.py analysis/__init__.py storage/__init__.py snapshot/__init__.py \
 && pip install . \
 && pip uninstall -y ci-triage \
 && rm -rf build ./*.egg-info
COPY githubapp ./githubapp
COPY analysis ./analysis
COPY storage ./storage
COPY snapshot ./snapshot
COPY app.yml ./
# The project runs from /app (an editable install: `ci-triage` on PATH, packages imported from /app), so files
# the code reads beside its packages (app.yml, for the /setup manifest flow) are where they are in the repository. Bytecode is compiled
# here because the runtime's root filesystem is read-only.
RUN pip install --no-deps -e . \
 && python -m compileall -q /app \
 && ci-triage --help > /dev/null

# ---- runtime stage: slim Debian + Chromium + the virtualenv, running as an unprivileged user ----
FROM ${PYTHON_IMAGE} AS runtime
ARG UID=10001
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-noto-color-emoji tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid ${UID} ci-triage \
 && useradd --system --uid ${UID} --gid ${UID} --home-dir /var/lib/ci-triage --shell /usr/sbin/nologin ci-triage \
 && mkdir -p /var/lib/ci-triage \
 && chown ${UID}:${UID} /var/lib/ci-triage
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
# HOST=0.0.0.0: inside a container the app must listen beyond loopback. HOME and TMPDIR point at writable
# places so the image also runs with a read-only root filesystem (mount /tmp and the data dir).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    CI_TRIAGE_DATA_DIR=/var/lib/ci-triage \
    CHROMIUM_PATH=/usr/bin/chromium \
    HOME=/var/lib/ci-triage \
    TMPDIR=/tmp
USER 10001:10001
WORKDIR /var/lib/ci-triage
VOLUME ["/var/lib/ci-triage"]
EXPOSE 8000
# Web and serve answer GET /health; a worker or migrate container has no HTTP port and counts as healthy
# while its process runs (see githubapp/worker/healthcheck.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "githubapp.worker.healthcheck"]
# tini as PID 1 reaps Chromium's child processes and forwards SIGTERM for a graceful stop.
ENTRYPOINT ["/usr/bin/tini", "--", "ci-triage"]
CMD ["serve"]
