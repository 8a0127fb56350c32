//! Discounting (Green Book schedules or a flat rate) and price-year uprating (GDP
//! deflator), both shipped as data with their source and vintage.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SchedulesFile {
    schedule: Vec<ScheduleRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleRow {
    name: String,
    label: String,
    vintage: String,
    source: String,
    confidence: String,
    bands: Vec<Band>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Band {
    from_year: u32,
    rate: f64,
}

/// How future values are discounted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discounting {
    /// Schedule name (`green_book`, `green_book_health`, `green_book_reduced`) or `flat`.
    pub name: String,
    /// A description for reports.
    pub label: String,
    /// Source and vintage.
    pub source: String,
    /// (first year, rate) bands; a flat rate is one band from year 1.
    bands: Vec<(u32, f64)>,
}

/// The names of the bundled schedules.
pub const SCHEDULES: [&str; 3] = ["green_book", "green_book_health", "green_book_reduced"];

impl Discounting {
    /// A bundled Green Book schedule by name.
    pub fn schedule(name: &str) -> Result<Discounting> {
        let file: SchedulesFile =
            toml::from_str(include_str!("data/discount_schedules.toml")).map_err(|e| Error::Toml {
                file: "discount_schedules.toml".to_string(),
                reason: e.to_string(),
            })?;
        let row = file.schedule.into_iter().find(|s| s.name == name).ok_or_else(|| Error::Unknown {
            kind: "discount schedule",
            name: name.to_string(),
            hint: format!(": use a rate such as 0.035 or one of {}", SCHEDULES.join(", ")),
        })?;
        Ok(Discounting {
            name: row.name,
            label: row.label,
            source: format!("{} ({}; {})", row.source, row.vintage, row.confidence),
            bands: row.bands.into_iter().map(|b| (b.from_year, b.rate)).collect(),
        })
    }

    /// A flat annual rate, above −1.
    pub fn flat(rate: f64) -> Result<Discounting> {
        if !rate.is_finite() || rate <= -1.0 || rate > 1.0 {
            return Err(Error::InvalidParameter {
                name: "discount",
                value: rate.to_string(),
                reason: "a flat rate must be a share above -1 and at most 1, such as 0.035",
            });
        }
        Ok(Discounting {
            name: "flat".to_string(),
            label: format!("flat {}% a year", rate * 100.0),
            source: "set in the impact map".to_string(),
            bands: vec![(1, rate)],
        })
    }

    /// The rate in year `t` (t ≥ 1).
    pub fn rate(&self, t: u32) -> f64 {
        self.bands.iter().rev().find(|(from, _)| t >= *from).map_or(0.0, |(_, r)| *r)
    }

    /// Discount factors DF(0..=years): DF(t) = 1 / Π_{k=1..t} (1 + r_k), compounded across
    /// the schedule's kinks; DF(0) = 1.
    ///
    /// ```
    /// use coproduction::value::Discounting;
    /// let df = Discounting::schedule("green_book").unwrap().factors(31);
    /// assert!((df[31] - df[30] / 1.030).abs() < 1e-15);
    /// assert!((df[1] - 0.966184).abs() < 5e-7);
    /// ```
    pub fn factors(&self, years: u32) -> Vec<f64> {
        let mut out = Vec::with_capacity(years as usize + 1);
        let mut product = 1.0;
        out.push(1.0);
        for t in 1..=years {
            product *= 1.0 + self.rate(t);
            out.push(1.0 / product);
        }
        out
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeflatorFile {
    vintage: String,
    source: String,
    basis: String,
    index: Vec<DeflatorRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeflatorRow {
    year: i32,
    value: f64,
}

/// A GDP deflator series for uprating values between price years.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GdpDeflator {
    /// Which release of the series.
    pub vintage: String,
    /// Where it comes from.
    pub source: String,
    index: BTreeMap<i32, f64>,
}

impl GdpDeflator {
    /// The bundled HM Treasury series (December 2025 vintage, 2024 = 100).
    pub fn builtin() -> Result<GdpDeflator> {
        GdpDeflator::from_toml_str(include_str!("data/gdp_deflator.toml"), "gdp_deflator.toml")
    }

    /// A series from a TOML file of the bundled shape (`vintage`, `source`, `basis`,
    /// `index = [{ year, value }]`), for a newer vintage.
    pub fn from_toml_str(text: &str, label: &str) -> Result<GdpDeflator> {
        let file: DeflatorFile = toml::from_str(text)
            .map_err(|e| Error::Toml { file: label.to_string(), reason: e.to_string() })?;
        if file.index.iter().any(|r| !(r.value.is_finite() && r.value > 0.0)) {
            return Err(Error::Toml {
                file: label.to_string(),
                reason: "every deflator value must be positive".to_string(),
            });
        }
        Ok(GdpDeflator {
            vintage: file.vintage,
            source: format!("{} ({})", file.source, file.basis),
            index: file.index.into_iter().map(|r| (r.year, r.value)).collect(),
        })
    }

    /// The factor that takes a value in `from` prices to `to` prices: D(to) / D(from).
    ///
    /// ```
    /// use coproduction::value::GdpDeflator;
    /// let d = GdpDeflator::builtin().unwrap();
    /// // £13,000 per WELLBY in 2019 prices is £16,027.91 in 2024 prices (social-value.md T4).
    /// assert!((13_000.0 * d.factor(2019, 2024).unwrap() - 16_027.91).abs() < 0.005);
    /// assert!(d.factor(2019, 2030).is_err());
    /// ```
    pub fn factor(&self, from: i32, to: i32) -> Result<f64> {
        let get = |year: i32| {
            self.index.get(&year).copied().ok_or_else(|| Error::Unknown {
                kind: "price year",
                name: year.to_string(),
                hint: format!(
                    ": the GDP deflator ({}) covers {}-{}; load a newer vintage or restate the value",
                    self.vintage,
                    self.index.keys().next().copied().unwrap_or(0),
                    self.index.keys().last().copied().unwrap_or(0)
                ),
            })
        };
        Ok(get(to)? / get(from)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // social-value.md section 6, T1 (6 decimals).
    #[test]
    fn green_book_vectors() {
        let years = [0, 1, 2, 3, 5, 10, 20, 30, 31, 40, 50, 75, 76];
        let standard = [
            1.0, 0.966184, 0.933511, 0.901943, 0.841973, 0.708919, 0.502566, 0.356278, 0.345901, 0.265105,
            0.197263, 0.094214, 0.091916,
        ];
        let health = [
            1.0, 0.985222, 0.970662, 0.956317, 0.928260, 0.861667, 0.742470, 0.639762, 0.631615, 0.562799,
            0.495094, 0.359354, 0.355550,
        ];
        for (name, expected) in [("green_book", standard), ("green_book_health", health)] {
            let df = Discounting::schedule(name).unwrap().factors(76);
            for (t, e) in years.iter().zip(expected) {
                assert!((df[*t] - e).abs() < 5e-7, "{name} DF({t}) = {} vs {e}", df[*t]);
            }
        }
        let df = Discounting::schedule("green_book").unwrap().factors(75);
        assert!((df[75] - 1.0 / (1.035f64.powi(30) * 1.030f64.powi(45))).abs() < 1e-15);
    }

    #[test]
    fn bad_schedules_and_rates_are_errors() {
        let e = Discounting::schedule("treasury").unwrap_err().to_string();
        assert_eq!(
            e,
            "unknown discount schedule 'treasury': use a rate such as 0.035 or one of green_book, green_book_health, green_book_reduced"
        );
        assert!(Discounting::flat(-1.0).is_err());
        let flat = Discounting::flat(0.035).unwrap().factors(2);
        assert!((flat[2] - 1.0 / 1.035f64.powi(2)).abs() < 1e-15);
        let e = GdpDeflator::builtin().unwrap().factor(2010, 2024).unwrap_err().to_string();
        assert!(e.starts_with("unknown price year '2010': the GDP deflator"), "{e}");
    }
}
