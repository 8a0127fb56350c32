//! Does a rate differ between the groups of a dimension? Pearson's chi-square when every
//! expected count is at least 5; otherwise Fisher's exact test for two groups, or a seeded
//! Monte Carlo permutation test for more.

use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use rand_distr::{Distribution, Hypergeometric};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};
use statrs::stats_tests::{Alternative, fishers_exact};

/// Which test was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TestMethod {
    /// Pearson's chi-square, no continuity correction.
    ChiSquare,
    /// Fisher's exact test (two-sided, as R's fisher.test and scipy's fisher_exact).
    FisherExact,
    /// Monte Carlo permutation p of the chi-square statistic (margins fixed).
    MonteCarlo,
    /// Pearson's chi-square p for a table of more than [`MAX_PERMUTATION_GROUPS`] groups
    /// with small expected counts, stated as approximate: a permutation test would cost
    /// 2,000 draws per group (minutes at 33,755 areas).
    ChiSquareApproximate,
}

/// Up to this many groups a table with small expected counts gets the permutation test;
/// beyond it, the chi-square approximation, marked as such.
pub const MAX_PERMUTATION_GROUPS: usize = 200;

/// A test of independence between group and outcome for one rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct IndependenceTest {
    /// The rate tested.
    pub rate: String,
    /// The test.
    pub method: TestMethod,
    /// Chi-square statistic (also for the Monte Carlo test).
    pub statistic: Option<f64>,
    /// Degrees of freedom of the chi-square.
    pub df: Option<usize>,
    /// Two-sided p.
    pub p_value: f64,
    /// Groups in the test (those with anyone in the denominator).
    pub groups: usize,
}

/// Permutations for the Monte Carlo p-value.
const PERMUTATIONS: usize = 2_000;

impl IndependenceTest {
    /// A sentence for reports.
    pub fn describe(&self) -> String {
        let method = match self.method {
            TestMethod::ChiSquare => {
                format!("chi-square {:.2}, df {}", self.statistic.unwrap_or(0.0), self.df.unwrap_or(0))
            }
            TestMethod::FisherExact => "Fisher's exact test".to_string(),
            TestMethod::MonteCarlo => format!("Monte Carlo test, {PERMUTATIONS} permutations"),
            TestMethod::ChiSquareApproximate => format!(
                "chi-square {:.2}, df {} (approximate: some groups have expected counts under 5)",
                self.statistic.unwrap_or(0.0),
                self.df.unwrap_or(0)
            ),
        };
        let p =
            if self.p_value < 0.001 { "p < 0.001".to_string() } else { format!("p = {:.3}", self.p_value) };
        format!(
            "Does {} differ between the {} groups? {method}, {p}.",
            self.rate.replace('_', " "),
            self.groups
        )
    }
}

/// Tests a groups × (counted, not counted) table given as (count, denominator) per group.
pub(crate) fn test(rate: &str, table: &[(u64, u64)], seed: u64) -> Option<IndependenceTest> {
    let rows: Vec<(u64, u64)> = table.iter().copied().filter(|(_, n)| *n > 0).collect();
    let total: u64 = rows.iter().map(|r| r.1).sum();
    let counted: u64 = rows.iter().map(|r| r.0).sum();
    if rows.len() < 2 || counted == 0 || counted == total {
        return None;
    }
    let expected_min = rows
        .iter()
        .flat_map(|&(_, n)| {
            [n as f64 * counted as f64 / total as f64, n as f64 * (total - counted) as f64 / total as f64]
        })
        .fold(f64::INFINITY, f64::min);
    let df = rows.len() - 1;
    let statistic = chi_square(&rows, counted, total);
    let (method, p_value) = if expected_min >= 5.0 {
        (TestMethod::ChiSquare, ChiSquared::new(df as f64).ok()?.sf(statistic))
    } else if rows.len() > MAX_PERMUTATION_GROUPS {
        (TestMethod::ChiSquareApproximate, ChiSquared::new(df as f64).ok()?.sf(statistic))
    } else if rows.len() == 2 {
        (TestMethod::FisherExact, fisher_exact(rows[0], rows[1])?)
    } else {
        (TestMethod::MonteCarlo, permutation_p(&rows, counted, total, statistic, seed))
    };
    Some(IndependenceTest {
        rate: rate.to_string(),
        method,
        statistic: Some(statistic),
        df: Some(df),
        p_value,
        groups: rows.len(),
    })
}

fn chi_square(rows: &[(u64, u64)], counted: u64, total: u64) -> f64 {
    let share = counted as f64 / total as f64;
    rows.iter()
        .map(|&(k, n)| {
            let (e1, e0) = (n as f64 * share, n as f64 * (1.0 - share));
            let (o1, o0) = (k as f64, (n - k) as f64);
            (o1 - e1).powi(2) / e1 + (o0 - e0).powi(2) / e0
        })
        .sum()
}

/// Two-sided Fisher exact p (statrs, after scipy's `fisher_exact`): the probability of
/// every table with these margins that is no more likely than the one observed. `None`
/// only for margins that are not a table (a count above its group's size).
fn fisher_exact((a, n1): (u64, u64), (c, n2): (u64, u64)) -> Option<f64> {
    let table = [a, n1.checked_sub(a)?, c, n2.checked_sub(c)?];
    fishers_exact(&table, Alternative::TwoSided).ok()
}

/// The share of tables with the observed margins whose chi-square is at least the
/// observed one. Each permuted table is drawn group by group from the hypergeometric
/// distribution, which is the distribution a full shuffle of the outcomes gives, at a
/// cost that does not grow with the number of people.
fn permutation_p(rows: &[(u64, u64)], counted: u64, total: u64, observed: f64, seed: u64) -> f64 {
    let mut rng = ChaCha12Rng::seed_from_u64(seed);
    let mut at_least = 0usize;
    let mut permuted = vec![(0u64, 0u64); rows.len()];
    for _ in 0..PERMUTATIONS {
        let (mut left, mut counted_left) = (total, counted);
        for (slot, &(_, n)) in permuted.iter_mut().zip(rows) {
            let k = match Hypergeometric::new(left, counted_left, n) {
                Ok(draw) => draw.sample(&mut rng),
                Err(_) => 0,
            };
            *slot = (k, n);
            left -= n;
            counted_left -= k;
        }
        if chi_square(&permuted, counted, total) >= observed - 1e-9 {
            at_least += 1;
        }
    }
    // The +1s count the observed table itself (Davison and Hinkley 1997).
    (at_least + 1) as f64 / (PERMUTATIONS + 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-9 * b.abs().max(1e-300), "{a} vs {b}");
    }

    // scipy 1.17.1: chi2_contingency(table, correction=False), fisher_exact(table).
    #[test]
    fn matches_scipy() {
        let t = test("r", &[(10, 30), (30, 55)], 1).unwrap();
        assert_eq!(t.method, TestMethod::ChiSquare);
        close(t.statistic.unwrap(), 3.505892255892255);
        close(t.p_value, 0.06115089757606777);
        let t = test("r", &[(20, 35), (12, 42), (25, 50)], 1).unwrap();
        close(t.statistic.unwrap(), 7.173021840315073);
        close(t.p_value, 0.02769479138375409);
        assert_eq!(t.df, Some(2));
        let t = test("r", &[(3, 10), (12, 16)], 1).unwrap();
        assert_eq!(t.method, TestMethod::FisherExact);
        close(t.p_value, 0.04261677210930138);
        close(fisher_exact((1, 10), (11, 14)).unwrap(), 0.0027594561852200836);
        close(fisher_exact((0, 5), (5, 5)).unwrap(), 0.007936507936507938);
    }

    #[test]
    fn small_many_group_tables_use_a_seeded_permutation_test() {
        let table = [(1, 4), (3, 5), (0, 6), (4, 4)];
        let a = test("r", &table, 9).unwrap();
        assert_eq!(a.method, TestMethod::MonteCarlo);
        assert_eq!(a, test("r", &table, 9).unwrap());
        // The exact conditional p, by enumerating every table with these margins
        // (Python, math.comb): 0.006390410415178217. 2,000 permutations give a standard
        // error of about 0.0018.
        assert!((a.p_value - 0.006390410415178217).abs() < 0.0075, "{}", a.p_value);
        assert!(test("r", &[(0, 4), (0, 5)], 1).is_none());
    }

    #[test]
    fn many_sparse_groups_use_the_stated_approximation() {
        // 1,000 groups of 3 with one in three counted: expected counts of 1 and 2. The
        // approximation agrees with the permutation p of the same table (run on it
        // directly), as the chi-square with many degrees of freedom should.
        let table: Vec<(u64, u64)> = (0..1000u64).map(|i| ((i * 7 % 11 % 3).min(3), 3)).collect();
        let t = test("r", &table, 3).unwrap();
        assert_eq!(t.method, TestMethod::ChiSquareApproximate);
        assert_eq!(t.df, Some(999));
        // scipy 1.17.1: chi2_contingency([[c, 3 - c] for c, _ in table], correction=False).
        close(t.statistic.unwrap(), 992.3386886751803);
        close(t.p_value, 0.5534706607772518);
        let rows: Vec<(u64, u64)> = table.clone();
        let (counted, total) = (rows.iter().map(|r| r.0).sum::<u64>(), rows.iter().map(|r| r.1).sum::<u64>());
        let permuted = permutation_p(&rows, counted, total, t.statistic.unwrap(), 3);
        assert!((t.p_value - permuted).abs() < 0.05, "{} vs {permuted}", t.p_value);
        assert!(t.describe().contains("approximate"), "{}", t.describe());
    }
}
