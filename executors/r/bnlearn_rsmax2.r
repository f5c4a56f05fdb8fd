# bnlearn's rsmax2 hybrid (catalogue: bnlearn / rsmax2) as an MPCSL executor: a constraint-based
# restrict phase, then a score-based maximize phase. Image only: needs bnlearn.
#
#   Rscript bnlearn_rsmax2.r -j JOB -d DATASET --api_host HOST --send_sepsets 0|1 \
#       --restrict pc.stable --maximize hc --restrict_args test=x2,alpha=0.05 --maximize_args score=bic
#
# restrict_args and maximize_args are comma-separated k=v lists passed to bnlearn as
# restrict.args and maximize.args; numbers become numbers, TRUE/FALSE logicals. Every restrict
# and maximize method of bnlearn is accepted (MPCSL's script took only pc.stable/gs and hc).

local({
  file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
  source(file.path(dirname(normalizePath(file)), "mpci_utils.r"))
})
suppressPackageStartupMessages(library(bnlearn))

opts <- parse_options(list(
  make_option("--restrict", type = "character"),
  make_option("--maximize", type = "character"),
  make_option("--restrict_args", type = "character", default = ""),
  make_option("--maximize_args", type = "character", default = ""),
  make_option("--discrete_limit", type = "integer", default = 4L)
), required = c("restrict", "maximize"))
check_choice(opts, "restrict", c("pc.stable", "gs", "iamb", "fast.iamb", "inter.iamb", "iamb.fdr"))
check_choice(opts, "maximize", c("hc", "tabu"))

restrict_args <- key_value_list(opts$restrict_args, "restrict_args")
maximize_args <- key_value_list(opts$maximize_args, "maximize_args")

dataset <- load_dataset(opts)
# The test (or, failing that, the score) says which data the phases need.
kind <- if (!is.null(restrict_args$test)) bnlearn_test_kind(restrict_args$test) else
  if (!is.null(maximize_args$score)) bnlearn_score_kind(maximize_args$score) else "mixed"
frame <- as_bnlearn_data(dataset$data, kind, opts$discrete_limit)
started <- Sys.time()
fit <- rsmax2(frame, restrict = opts$restrict, maximize = opts$maximize, restrict.args = restrict_args,
              maximize.args = maximize_args, debug = opts$verbose > 0)
execution_time <- seconds_since(started)

edges <- arc_edges(fit, frame, dataset$node_ids)
cat(sprintf("rsmax2 (%s + %s) done in %.3f s: %d arcs\n", opts$restrict, opts$maximize, execution_time,
            nrow(edges)))
upload_result(opts, edges, meta = list(executor = "bnlearn", algorithm = "rsmax2"),
              execution_time = execution_time, loading_time = dataset$loading_time)
