//! Social value: the impact map, Green Book discounting, price-year uprating, SROI,
//! sensitivity and Monte Carlo (DESIGN.md sections 5 and 6; methods and sources in the
//! domain notes, social-value.md).

mod delivery_cost;
mod fraction;
mod impact_map;
mod schedules;
mod sroi;
mod valuation;

pub use fraction::{Deduction, Fraction, RetainedShare};
pub use impact_map::{DiscountSpec, ImpactMap, Input, LINKABLE_METRICS, MAX_FIGURE, Outcome, ValueRow};
pub use schedules::{Discounting, GdpDeflator, PriceBasis, SCHEDULES};
pub use sroi::{
    CostPerOutcome, InputValue, LinkedQuantity, MONTE_CARLO_METHOD, MeasuredQuantities, MonteCarloSummary,
    NiceThreshold, OutcomeValue, Sensitivity, SensitivityRow, SocialValue, StakeholderValue, evaluate,
    evaluate_with,
};
pub use valuation::{QALY_VALUE, ValuePerUnit, WELLBY_VALUE, qaly_value, wellby_gain, wellby_value};
