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
#[non_exhaustive]
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
    ///
    /// # Errors
    ///
    /// [`Error::Unknown`](crate::Error::Unknown) if there is no schedule with this name.
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
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) if the rate is not from 0 to
    /// 1.
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

    /// The same schedule with every rate multiplied by `by` (for the sensitivity).
    pub fn scaled(&self, by: f64) -> Discounting {
        Discounting {
            label: format!("{} ×{by}", self.label),
            bands: self.bands.iter().map(|(from, r)| (*from, r * by)).collect(),
            ..self.clone()
        }
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
    #[serde(default)]
    confidence: Option<String>,
    index: Vec<DeflatorRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeflatorRow {
    year: i32,
    value: f64,
    #[serde(default)]
    forecast: bool,
}

/// Which years a deflator's index is kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceBasis {
    /// Calendar years (2024 = January to December 2024).
    CalendarYear,
    /// Financial years, named by the year they begin (2022 = April 2022 to March 2023).
    FinancialYear,
}

impl PriceBasis {
    /// How reports describe it.
    pub fn label(self) -> &'static str {
        match self {
            PriceBasis::CalendarYear => "calendar years",
            PriceBasis::FinancialYear => "financial years (2022 = 2022/23)",
        }
    }
}

/// A GDP deflator series for uprating values between price years.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct GdpDeflator {
    /// Which release of the series.
    pub vintage: String,
    /// Where it comes from.
    pub source: String,
    /// Calendar or financial years.
    pub basis: PriceBasis,
    index: BTreeMap<i32, f64>,
    forecast: Vec<i32>,
}

impl GdpDeflator {
    /// The bundled HM Treasury series (December 2025 vintage, 2024 = 100, 1990 to 2024).
    ///
    /// # Errors
    ///
    /// [`Error::Toml`](crate::Error::Toml) if the embedded deflator table does not load (ruled
    /// out by the tests).
    pub fn builtin() -> Result<GdpDeflator> {
        GdpDeflator::from_toml_str(include_str!("data/gdp_deflator.toml"), "gdp_deflator.toml")
    }

    /// A series from a TOML file of the bundled shape (`vintage`, `source`, `basis` =
    /// `calendar_year` or `financial_year`, optional `confidence`, `index = [{ year, value,
    /// forecast }]`, `forecast = true` marking a forecast year), for a newer vintage.
    ///
    /// ```
    /// use coproduction::value::GdpDeflator;
    /// let d = GdpDeflator::from_toml_str(r#"
    /// vintage = "illustrative"
    /// source = "a user's series"
    /// basis = "financial_year"
    /// index = [{ year = 2024, value = 100.0 }, { year = 2025, value = 102.0, forecast = true }]
    /// "#, "deflator.toml").unwrap();
    /// assert_eq!(d.forecast_years_in(&[2024, 2025]), vec![2025]);
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Toml`](crate::Error::Toml) if the text is not a deflator table, or
    /// [`Error::InvalidData`](crate::Error::InvalidData) if a year or index is invalid.
    pub fn from_toml_str(text: &str, label: &str) -> Result<GdpDeflator> {
        let file: DeflatorFile = toml::from_str(text)
            .map_err(|e| Error::Toml { file: label.to_string(), reason: e.to_string() })?;
        let bad = |reason: String| Error::Toml { file: label.to_string(), reason };
        if file.index.iter().any(|r| !(r.value.is_finite() && r.value > 0.0)) {
            return Err(bad("every deflator value must be positive".to_string()));
        }
        let basis = match file.basis.as_str() {
            "calendar_year" => PriceBasis::CalendarYear,
            "financial_year" => PriceBasis::FinancialYear,
            other => {
                return Err(bad(format!("basis '{other}' is not one of calendar_year, financial_year")));
            }
        };
        let mut index = BTreeMap::new();
        for r in &file.index {
            if index.insert(r.year, r.value).is_some() {
                return Err(bad(format!("year {} is listed twice", r.year)));
            }
        }
        let confidence = file.confidence.map(|c| format!("; {c}")).unwrap_or_default();
        Ok(GdpDeflator {
            vintage: file.vintage,
            source: format!("{} ({}{confidence})", file.source, basis.label()),
            basis,
            forecast: file.index.iter().filter(|r| r.forecast).map(|r| r.year).collect(),
            index,
        })
    }

    /// Reads a series file (the plan's `deflator = "deflator.toml"`).
    ///
    /// # Errors
    ///
    /// [`Error::Io`](crate::Error::Io) if the file cannot be read, otherwise as
    /// [`GdpDeflator::from_toml_str`].
    pub fn from_file(path: &std::path::Path) -> Result<GdpDeflator> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        GdpDeflator::from_toml_str(&text, &path.display().to_string())
    }

    /// The years of `years` that are forecasts in this series, in order, once each.
    pub fn forecast_years_in(&self, years: &[i32]) -> Vec<i32> {
        let mut out: Vec<i32> = years.iter().copied().filter(|y| self.forecast.contains(y)).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The factor that takes a value in `from` prices to `to` prices: D(to) / D(from);
    /// exactly 1 for the same year, which needs no series.
    ///
    /// ```
    /// use coproduction::value::GdpDeflator;
    /// let d = GdpDeflator::builtin().unwrap();
    /// // £13,000 per WELLBY in 2019 prices is £16,027.91 in 2024 prices (social-value.md T4).
    /// assert!((13_000.0 * d.factor(2019, 2024).unwrap() - 16_027.91).abs() < 0.005);
    /// assert!(d.factor(2019, 2030).is_err());
    /// assert_eq!(d.factor(2030, 2030).unwrap(), 1.0);
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`](crate::Error::InvalidParameter) if either year is outside
    /// the table.
    pub fn factor(&self, from: i32, to: i32) -> Result<f64> {
        if from == to {
            return Ok(1.0);
        }
        let get = |year: i32| {
            self.index.get(&year).copied().ok_or_else(|| Error::Unknown {
                kind: "price year",
                name: year.to_string(),
                hint: format!(
                    ": the GDP deflator ({}) covers {}-{}; load a series that covers it with deflator = \"deflator.toml\" under [social_value], or restate the value",
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

    // social-value.md section 2.6: the series back to 1990 (greenbook gdp_deflator.csv).
    #[test]
    fn deflator_reaches_back_to_1990() {
        let d = GdpDeflator::builtin().unwrap();
        assert!((d.factor(1990, 2024).unwrap() - 100.0 / 42.7537).abs() < 1e-12);
        assert!((d.factor(2014, 2024).unwrap() - 100.0 / 74.6524).abs() < 1e-12);
        assert_eq!(d.basis, PriceBasis::CalendarYear);
        assert!(d.forecast_years_in(&[2014, 2024]).is_empty());
        let twice = "vintage = \"v\"\nsource = \"s\"\nbasis = \"calendar_year\"\nindex = [{ year = 1, value = 1.0 }, { year = 1, value = 2.0 }]\n";
        assert!(GdpDeflator::from_toml_str(twice, "d").unwrap_err().to_string().contains("listed twice"));
        let odd = twice.replace("calendar_year", "tax_year");
        assert!(GdpDeflator::from_toml_str(&odd, "d").unwrap_err().to_string().contains("basis 'tax_year'"));
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
        let e = GdpDeflator::builtin().unwrap().factor(1989, 2024).unwrap_err().to_string();
        assert!(e.starts_with("unknown price year '1989': the GDP deflator"), "{e}");
        assert!(e.contains("covers 1990-2024"), "{e}");
    }
}
