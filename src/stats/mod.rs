//! Statistics for before-and-after evaluation, checked against scipy.
//!
//! Every function takes plain slices and returns a named result; a statistic that is
//! undefined for the data (an SD of one value, a t with no spread) is `None`, never NaN.
//!
//! Reference values in the tests come from `src/stats/reference_values.py` (scipy 1.17.1,
//! numpy 2.4.6, Python 3.11). Tolerance policy: closed forms (means, SDs, effect sizes,
//! Wilson limits) agree to 1e-12 relative; p-values and intervals through special functions
//! (Student t, normal) to 1e-9 relative.

mod descriptive;
mod effect_size;
mod paired;
mod proportions;
mod wilcoxon;

pub use descriptive::{MeanInterval, mean, mean_interval, sample_sd};
pub use effect_size::{PairedEffectSizes, hedges_j, noncentral_t_cdf, paired_effect_sizes};
pub use paired::{PairedTTest, paired_t_test};
pub use proportions::{McNemar, Proportion, RateDifference, Z95, mcnemar_exact, newcombe_difference, wilson};
pub use wilcoxon::{Wilcoxon, WilcoxonMethod, wilcoxon_signed_rank};

#[cfg(test)]
pub(crate) fn assert_close(actual: f64, expected: f64, rel: f64) {
    let scale = expected.abs().max(1e-300);
    assert!(
        (actual - expected).abs() / scale <= rel || (actual - expected).abs() <= 1e-15,
        "{actual} vs {expected} (relative tolerance {rel})"
    );
}
