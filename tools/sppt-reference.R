# sppt-reference.R: reference values for tests/test_change.c, computed with
# base R exactly as R package sppt's sppt_diff() does (Wheeler, Steenbeek &
# Andresen 2018; wsteenbeek/sppt, R/sppt_diff.R): the "N-1" chi-square of
# each unit's 2 x 2 table, then p.adjust(method = "BY"), S index at 95 %.
# Also p.adjust(method = "BH"/"BY") on a fixed vector with a missing value.
# Run: Rscript tools/sppt-reference.R > tests/data/change/sppt_diff.csv
# (R is not needed by make check: the output is committed.)
nb <- c(40, 12, 0, 7, 25, 3, 0, 13)
nt <- c(10, 30, 0, 9, 20, 1, 4, 26)
tb <- sum(nb); tt <- sum(nt)
p <- sapply(seq_along(nb), function(k) {
  da <- matrix(c(nb[k], nt[k], tb - nb[k], tt - nt[k]), ncol = 2)
  r <- suppressWarnings(as.numeric(stats::chisq.test(da, correct = FALSE)$statistic))
  N <- sum(da)
  stats::pchisq(r * (N - 1) / N, 1, lower.tail = FALSE)
})
padj <- stats::p.adjust(p, method = "BY")
pb <- nb / tb * 100; pt <- nt / tt * 100
s <- rep(0, length(nb))
s[!is.na(p) & p < 0.05 & pb > pt] <- 1
s[!is.na(p) & p < 0.05 & pb < pt] <- -1
s[!is.na(padj) & padj >= 0.05] <- 0
sim <- ifelse(s == 0, 1, 0)
robust <- mean(sim[nb + nt > 0])
cat("kind,before,after,p,p_adj,s_index\n")
for (k in seq_along(nb))
  cat(sprintf("unit,%g,%g,%.17g,%.17g,%d\n", nb[k], nt[k], p[k], padj[k], s[k]))
cat(sprintf("global,0,0,%.17g,%.17g,0\n", mean(sim), robust))
pv <- c(0.04, 0.001, NA, 0.3, 0.02, 0.02, 0.9, 0.011)
bh <- stats::p.adjust(pv, method = "BH"); by <- stats::p.adjust(pv, method = "BY")
for (k in seq_along(pv))
  cat(sprintf("padj,0,0,%.17g,%.17g,%.17g\n", pv[k], bh[k], by[k]))
