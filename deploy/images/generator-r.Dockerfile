# Dataset generator image (generator type PCALG: random DAG + Gaussian samples with pcalg,
# uploaded to the collector). The scheduler asks for the image `mpci_generator_r` (the name
# MPCSL's build publishes; its scheduler asked for `generator_r`) with the script `generator.r`
# (spec: job-lifecycle §4.2). Build from the repository root:
#
#   docker build -f deploy/images/generator-r.Dockerfile -t "$REGISTRY/mpci_generator_r:$VERSION" .
#
# GENERATOR_DIR is the folder holding generator.r (default executors/r).

FROM rocker/r-ver:4.4.2
RUN apt-get update \
    && apt-get install -y --no-install-recommends libglpk-dev libgmp-dev libxml2-dev \
    && rm -rf /var/lib/apt/lists/*
RUN install2.r --error --skipinstalled --ncpus -1 BiocManager \
    && Rscript -e 'BiocManager::install(c("graph", "RBGL"), update = FALSE, ask = FALSE)' \
    && install2.r --error --skipinstalled --ncpus -1 optparse httr jsonlite igraph pcalg \
    && rm -rf /tmp/downloaded_packages
ARG GENERATOR_DIR=executors/r
WORKDIR /app
COPY ${GENERATOR_DIR}/ /app/
USER 10001:10001
ENTRYPOINT ["Rscript"]
