//! The bundled demo: the plan and data of `fixtures/demo/`, embedded in the crate so that
//! `coprod run` with no plan works from any folder on any machine, not only where the
//! crate was built.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The demo's files, by name: a plan, its three data tables, the population, the local
/// provision and the impact map.
const DEMO_FILES: [(&str, &str); 7] = [
    ("plan.toml", include_str!("../fixtures/demo/plan.toml")),
    ("participants.csv", include_str!("../fixtures/demo/participants.csv")),
    ("outcomes.csv", include_str!("../fixtures/demo/outcomes.csv")),
    ("activities.csv", include_str!("../fixtures/demo/activities.csv")),
    ("population.csv", include_str!("../fixtures/demo/population.csv")),
    ("provision.csv", include_str!("../fixtures/demo/provision.csv")),
    ("impact_map.toml", include_str!("../fixtures/demo/impact_map.toml")),
];

/// Writes the demo's plan and data into `dir` (created if needed) and returns the plan's
/// path, ready for [`Plan::load`](crate::Plan::load). The files are those of
/// `fixtures/demo/`, byte for byte, so the demo's results are the same wherever it runs.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("coprod-demo-doc-{}", std::process::id()));
/// let plan = coproduction::write_demo(&dir).unwrap();
/// assert_eq!(plan, dir.join("plan.toml"));
/// assert!(dir.join("outcomes.csv").is_file());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
///
/// # Errors
///
/// [`Error::Io`] if the folder or a file cannot be written.
pub fn write_demo(dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create folder", dir, e))?;
    for (name, text) in DEMO_FILES {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
    }
    Ok(dir.join("plan.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_demo_is_the_fixture_byte_for_byte() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
        let names: Vec<&str> = DEMO_FILES.iter().map(|(name, _)| *name).collect();
        let mut on_disk: Vec<String> = std::fs::read_dir(&fixtures)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk, "every demo file is embedded");
        for (name, text) in DEMO_FILES {
            assert_eq!(std::fs::read_to_string(fixtures.join(name)).unwrap(), text, "{name}");
        }
    }
}
