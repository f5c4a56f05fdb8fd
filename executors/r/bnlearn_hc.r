# bnlearn's hill climbing (catalogue: bnlearn / hc) as an MPCSL executor. Image only: needs
# bnlearn (deploy/images/executor-r.Dockerfile).
#
#   Rscript bnlearn_hc.r -j JOB -d DATASET --api_host HOST --send_sepsets 0|1 \
#       --score bic|bic-g|bde|... [--restarts 0] [--perturb 1] [--maxiter -1] [--maxp -1] ...

local({
  file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
  source(file.path(dirname(normalizePath(file)), "mpci_utils.r"))
})
suppressPackageStartupMessages(library(bnlearn))

mixed_scores <- c("loglik-cg", "aic-cg", "bic-cg", "pred-loglik-cg")
opts <- parse_options(list(
  make_option("--score", type = "character"),
  make_option("--restarts", type = "integer", default = 0L),
  make_option("--perturb", type = "integer", default = 1L),
  make_option("--maxiter", type = "integer", default = -1L),
  make_option("--maxp", type = "integer", default = -1L),
  make_option("--optimized", type = "integer", default = 1L),
  make_option("--discrete_limit", type = "integer", default = 4L)
), required = "score")
check_choice(opts, "score", c(bnlearn_scores$discrete, bnlearn_scores$gaussian, mixed_scores))

dataset <- load_dataset(opts)
frame <- as_bnlearn_data(dataset$data, bnlearn_score_kind(opts$score), opts$discrete_limit)

started <- Sys.time()
fit <- hc(frame, score = opts$score, restart = opts$restarts, perturb = opts$perturb,
          max.iter = unlimited(opts$maxiter), maxp = unlimited(opts$maxp), optimized = opts$optimized > 0,
          debug = opts$verbose > 0)
execution_time <- seconds_since(started)

edges <- arc_edges(fit, frame, dataset$node_ids)
cat(sprintf("hc done in %.3f s: %d arcs, score %.4f\n", execution_time, nrow(edges),
            score(fit, frame, type = opts$score)))
upload_result(opts, edges, meta = list(executor = "bnlearn", algorithm = "hc"),
              execution_time = execution_time, loading_time = dataset$loading_time)
