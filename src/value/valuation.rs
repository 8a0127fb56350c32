//! Standard values for wellbeing and health changes, with their sources, uprated to any
//! price year the deflator covers.

use serde::Serialize;

use crate::error::Result;

use super::schedules::GdpDeflator;

/// A published value per unit, with its price year and range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ValuePerUnit {
    /// Central value, £.
    pub central: f64,
    /// Low value, £.
    pub low: f64,
    /// High value, £.
    pub high: f64,
    /// Price year.
    pub price_year: i32,
    /// Where it comes from.
    pub source: &'static str,
}

/// One WELLBY (one point of life satisfaction, 0-10, for one person for one year): HM
/// Treasury Wellbeing Guidance for Appraisal (2021, updated 2022), £13,000 (£10,000 to
/// £16,000) at 2019 prices.
pub const WELLBY_VALUE: ValuePerUnit = ValuePerUnit {
    central: 13_000.0,
    low: 10_000.0,
    high: 16_000.0,
    price_year: 2019,
    source: "HM Treasury, Wellbeing Guidance for Appraisal: Supplementary Green Book Guidance (2021, updated 2022)",
};

/// One QALY in cross-government appraisal: £70,000 at 2020-21 prices (taken as 2020),
/// DHSC / Green Book (Parliamentary answer HL5283).
pub const QALY_VALUE: ValuePerUnit = ValuePerUnit {
    central: 70_000.0,
    low: 60_000.0,
    high: 70_000.0,
    price_year: 2020,
    source: "Green Book / DHSC value of a QALY, 2020-21 prices (Parliamentary answer HL5283); low: earlier £60,000",
};

fn uprated(unit: ValuePerUnit, price_year: i32) -> Result<ValuePerUnit> {
    let f = GdpDeflator::builtin()?.factor(unit.price_year, price_year)?;
    Ok(ValuePerUnit { central: unit.central * f, low: unit.low * f, high: unit.high * f, price_year, ..unit })
}

/// The WELLBY value uprated by the GDP deflator to `price_year` (deflator-only uprating;
/// the Green Book's GDP-per-capita^1.3 rule needs a series not bundled here).
///
/// ```
/// let v = coproduction::value::wellby_value(2024).unwrap();
/// assert!((v.central - 16_027.91).abs() < 0.005); // social-value.md T4
/// ```
///
/// # Errors
///
/// [`Error::InvalidParameter`](crate::Error::InvalidParameter) if the price year is outside the
/// deflator table.
pub fn wellby_value(price_year: i32) -> Result<ValuePerUnit> {
    uprated(WELLBY_VALUE, price_year)
}

/// The QALY value uprated by the GDP deflator to `price_year`.
///
/// # Errors
///
/// As [`wellby_value`].
pub fn qaly_value(price_year: i32) -> Result<ValuePerUnit> {
    uprated(QALY_VALUE, price_year)
}

/// The value of a change in ONS life satisfaction (0-10): points × people × years WELLBYs at
/// the central value, with the low and high values, uprated to `price_year` (undiscounted:
/// discount through an impact map, e.g. with the `green_book_health` schedule).
///
/// ```
/// let v = coproduction::value::wellby_gain(0.5, 100.0, 1.0, 2019).unwrap();
/// assert_eq!((v.central, v.low, v.high), (650_000.0, 500_000.0, 800_000.0));
/// ```
///
/// # Errors
///
/// As [`wellby_value`].
pub fn wellby_gain(points: f64, people: f64, years: f64, price_year: i32) -> Result<ValuePerUnit> {
    let per = wellby_value(price_year)?;
    let wellbys = points * people * years;
    Ok(ValuePerUnit {
        central: per.central * wellbys,
        low: per.low * wellbys,
        high: per.high * wellbys,
        ..per
    })
}
