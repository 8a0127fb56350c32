//! Social value: the impact map, Green Book discounting, price-year uprating, SROI,
//! sensitivity and Monte Carlo (DESIGN.md sections 5 and 6; methods and sources in the
//! domain notes, social-value.md).

mod fraction;
mod impact_map;
mod schedules;
mod sroi;
mod valuation;

pub use fraction::{Deduction, Fraction, RetainedShare};
pub use impact_map::{DiscountSpec, ImpactMap, Input, LINKABLE_METRICS, MAX_FIGURE, Outcome, ValueRow};
pub use schedules::{Discounting, GdpDeflator, SCHEDULES};
pub use sroi::{
    InputValue, LinkedQuantity, MONTE_CARLO_METHOD, MeasuredQuantities, MonteCarloSummary, OutcomeValue,
    Sensitivity, SensitivityRow, SocialValue, StakeholderValue, evaluate,
};
pub use valuation::{QALY_VALUE, ValuePerUnit, WELLBY_VALUE, qaly_value, wellby_gain, wellby_value};
