# Unit tests of mpci_utils.r in plain R (run by tests/api/r_executor.rs): exits non-zero with
# the failed check's message.

local({
  file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
  source(file.path(dirname(normalizePath(file)), "..", "mpci_utils.r"))
})

check <- function(what, condition) {
  if (!isTRUE(condition)) stop(sprintf("failed: %s", what), call. = FALSE)
}
fails <- function(expr) inherits(tryCatch(expr, error = function(e) e), "error")

# Options: contract options, required ones, choices, ranges.
alpha <- list(make_option(c("-a", "--alpha"), type = "double"))
fixed <- c("-j", "1", "-d", "1", "--api_host", "h")
opts <- parse_options(alpha, required = "alpha",
                      args = c("-j", "5", "-d", "9", "--api_host", "h:1/t/abc", "-a", "0.05",
                               "--sampling_method", "top"))
check("options parsed", opts$job_id == 5 && opts$dataset_id == 9 && opts$alpha == 0.05 &&
        opts$send_sepsets == 0 && opts$sampling_method == "top")
check("a missing required option stops", fails(parse_options(alpha, args = fixed, required = "alpha")))
check("a bad sampling method stops", fails(parse_options(args = c(fixed, "--sampling_method", "middle"))))
check("a sampling factor above 1 stops", fails(parse_options(args = c(fixed, "--sampling_factor", "2"))))
check("unlimited", is.infinite(unlimited(-1)) && is.null(unlimited(-1, NULL)) && unlimited(3) == 3)
check("redact", redact("GET http://h:1/t/0123abcd/api/x failed") == "GET http://h:1/t/***/api/x failed")

# Data: node ids, booleans, NULL rows, text columns.
ds <- parse_dataset("3,4,5\nTrue,1.5,a\n,2,b\nFalse,,c\nFalse,0.25,d\n")
check("node ids", identical(ds$node_ids, c(3L, 4L, 5L)))
check("NULL rows dropped", ds$dropped_rows == 2 && nrow(ds$data) == 2)
check("booleans as 1/0", identical(ds$data[[1]], c(1L, 0L)))
check("numbers", identical(ds$data[[2]], c(1.5, 0.25)))
check("text stays text", identical(ds$data[[3]], c("a", "d")))
check("a header without node ids stops", fails(parse_dataset("a,b\n1,2\n")))

# Sampling keeps floor(n * factor) rows, in file order.
frame <- list(data = data.frame(x = 1:10))
check("top rows", identical(sample_rows(frame, 0.35, "top")$data$x, 1:3))
kept <- sample_rows(frame, 0.5, "random")$data$x
check("random rows", length(kept) == 5 && !is.unsorted(kept))

# bnlearn data kinds, codes, edges.
mixed <- data.frame(a = c(1, 2, 1, 2), b = c(0.1, 0.2, 0.3, 0.4), s = c("u", "v", "u", "v"))
as_mixed <- as_bnlearn_data(mixed, "mixed", 2)
check("mixed: few values and text are factors",
      is.factor(as_mixed$a) && is.numeric(as_mixed$b) && is.factor(as_mixed$s))
check("discrete: all factors", all(vapply(as_bnlearn_data(mixed, "discrete", 2), is.factor, TRUE)))
check("gaussian needs numbers", fails(as_bnlearn_data(mixed, "gaussian", 2)))
check("kinds", bnlearn_test_kind("x2") == "discrete" && bnlearn_test_kind("zf") == "gaussian" &&
        bnlearn_test_kind("mi-cg") == "mixed" && bnlearn_score_kind("bge") == "gaussian")
check("codes from 0", identical(as_codes(data.frame(v = c("b", "a", "b")))$v, c(1L, 0L, 1L)))
m <- matrix(0, 3, 3); m[1, 2] <- 1; m[2, 1] <- 1; m[2, 3] <- 1
edges <- adjacency_edges(m, c(10L, 11L, 12L))
pairs <- paste(edges$from_node, edges$to_node)[order(edges$from_node, edges$to_node)]
check("adjacency edges", identical(pairs, c("10 11", "11 10", "11 12")))

# k=v options of rsmax2.
args <- key_value_list("test=x2, alpha=0.05,optimized=TRUE", "restrict_args")
check("key=value list", identical(args, list(test = "x2", alpha = 0.05, optimized = TRUE)))
check("an empty list", length(key_value_list("", "maximize_args")) == 0)
check("not key=value stops", fails(key_value_list("alpha", "restrict_args")))

cat("mpci_utils.r: all checks passed\n")
