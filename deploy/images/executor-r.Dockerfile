# Executor image of the R algorithms (pcalg, bnlearn; scripts in `executors/r`).
# Build from the repository root:
#
#   docker build -f deploy/images/executor-r.Dockerfile -t "$REGISTRY/mpci_execution_r:$VERSION" .
#
# MPCSL convention: ENTRYPOINT is `Rscript`; the scheduler passes the script (the catalogue's
# script_filename, relative to /app) and its options. rocker/r-ver installs CRAN packages
# from a dated Posit Package Manager snapshot, so rebuilding gives the same package versions.

FROM rocker/r-ver:4.4.2
# System libraries of igraph (glpk, xml2) and Rmpfr/gmp, needed by pcalg's dependencies.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libglpk-dev libgmp-dev libxml2-dev \
    && rm -rf /var/lib/apt/lists/*
# graph and RBGL come from Bioconductor; the rest from CRAN. Add packages here
# (docs/howto/add-algorithm-r.md).
RUN install2.r --error --skipinstalled --ncpus -1 BiocManager \
    && Rscript -e 'BiocManager::install(c("graph", "RBGL"), update = FALSE, ask = FALSE)' \
    && install2.r --error --skipinstalled --ncpus -1 \
        optparse httr jsonlite infotheo igraph bnlearn pcalg \
    && rm -rf /tmp/downloaded_packages
WORKDIR /app
COPY executors/r/ /app/
USER 10001:10001
ENTRYPOINT ["Rscript"]
