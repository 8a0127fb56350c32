//! Writing a report folder so that a run can never damage the one copy an evaluator keeps:
//! the report is written whole into a fresh staging folder beside `--out` and swapped in
//! only when complete. The previous report is kept as `<out>.previous` until the swap has
//! succeeded; on any failure it is left exactly as it was and the staging folder removed.
//!
//! Before anything is written the folder is checked: it must not hold (or be, or lie
//! inside) any input, must not be a symbolic link, and, when not empty, must carry the
//! marker file every report of this crate has.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// The file every report folder carries. A non-empty `--out` without it is not replaced.
pub const REPORT_MARKER: &str = ".coproduction-report";

const MARKER_TEXT: &str = "This folder is a report written by the coproduction crate.\n\
    A new run into this folder replaces all of it; keep your own files elsewhere.\n";

fn refused(path: &Path, reason: impl Into<String>) -> Error {
    Error::Output { path: path.to_path_buf(), reason: reason.into() }
}

/// Checks that a report may be written to `out`, given the files a run reads: `out` must
/// not contain, be, or lie inside any of them (compared by canonical path, so `..`,
/// `./` and links in the path do not hide an input); it must not be a symbolic link or a
/// file; and a non-empty folder must be an earlier report of this crate (it holds
/// [`REPORT_MARKER`]). Inputs that do not exist are skipped: reading them reports that.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// let data = dir.path().join("participants.csv");
/// std::fs::write(&data, "participant_id,pilot_id\n").unwrap();
/// let inputs = [data.clone()];
/// assert!(coproduction::report::check_output_dir(&dir.path().join("report"), &inputs).is_ok());
/// // The folder the data is in: refused.
/// let err = coproduction::report::check_output_dir(dir.path(), &inputs).unwrap_err();
/// assert!(err.to_string().contains("participants.csv"), "{err}");
/// ```
///
/// # Errors
///
/// [`Error::Output`](crate::Error::Output) if `out` holds or is one of `inputs`, is a link, or
/// is a non-empty folder that is not a report.
pub fn check_output_dir(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    let target = absolute(out)?;
    if target.parent().is_none() || target.file_name().is_none() {
        return Err(refused(out, "give a folder for the report, not the root of the file system"));
    }
    for input in inputs {
        let Ok(input_path) = fs::canonicalize(input) else { continue };
        if input_path.starts_with(&target) || target.starts_with(&input_path) {
            return Err(refused(
                out,
                format!(
                    "the plan reads '{}' from there; a report folder is replaced whole, so it must not hold \
                     any input: choose another --out",
                    input.display()
                ),
            ));
        }
        let previous = sibling(&target, "previous");
        if input_path.starts_with(&previous) {
            return Err(refused(
                out,
                format!("the plan reads '{}' from '{}'; move it first", input.display(), previous.display()),
            ));
        }
    }
    check_replaceable(out, &target)?;
    let previous = sibling(&target, "previous");
    if fs::symlink_metadata(&previous).is_ok() {
        check_replaceable(&previous, &previous)?;
    }
    Ok(())
}

/// A folder that may be replaced: absent, empty, or a report of this crate; never a link
/// or a file.
fn check_replaceable(shown: &Path, path: &Path) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(path) else { return Ok(()) };
    if meta.file_type().is_symlink() {
        return Err(refused(shown, "it is a symbolic link; a report is never written through a link"));
    }
    if !meta.is_dir() {
        return Err(refused(shown, "it is a file, not a folder"));
    }
    let mut entries = fs::read_dir(path).map_err(|e| Error::io("read folder", path, e))?;
    if entries.next().is_none() {
        return Ok(());
    }
    match fs::symlink_metadata(path.join(REPORT_MARKER)) {
        Ok(m) if m.is_file() => Ok(()),
        _ => Err(refused(
            shown,
            format!(
                "the folder is not empty and is not a report of this crate (it has no {REPORT_MARKER} file), \
                 so replacing it could lose your files: choose a new or empty folder"
            ),
        )),
    }
}

/// Writes a report folder all or nothing: `write` is given a function that puts one file
/// (a path relative to the folder, with `/` between parts) into a fresh staging folder;
/// when it returns `Ok` the staging folder replaces `out`. Call [`check_output_dir`]
/// first.
pub(crate) fn write_folder(
    out: &Path,
    write: impl FnOnce(&mut dyn FnMut(&str, &[u8]) -> Result<()>) -> Result<()>,
) -> Result<()> {
    let target = absolute(out)?;
    let staging = Staging::create(&target)?;
    let mut put = |name: &str, bytes: &[u8]| staging.put(name, bytes);
    put(REPORT_MARKER, MARKER_TEXT.as_bytes())?;
    write(&mut put)?;
    staging.commit(&target)
}

/// The staging folder; removed on drop unless it was swapped in.
struct Staging {
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    fn create(target: &Path) -> Result<Staging> {
        static RUN: AtomicU64 = AtomicU64::new(0);
        let parent = target.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| Error::io("create folder", parent, e))?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        remove_stale_staging(parent, &name);
        // Fresh by construction: `create_dir` fails rather than reuse anything there.
        for attempt in 0..100u64 {
            let run = RUN.fetch_add(1, Ordering::Relaxed);
            let dir = parent.join(format!(".{name}.writing-{}-{run}-{attempt}", std::process::id()));
            match fs::create_dir(&dir) {
                Ok(()) => return Ok(Staging { dir, committed: false }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io("create folder", &dir, e)),
            }
        }
        Err(refused(target, "could not make a fresh staging folder beside it"))
    }

    /// Writes one new file; never opens an existing file or follows a link.
    fn put(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let mut path = self.dir.clone();
        let parts: Vec<&str> = name.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            if part.is_empty() || *part == "." || *part == ".." || part.contains('\\') {
                return Err(refused(&self.dir, format!("'{name}' is not a file name inside the report")));
            }
            path.push(part);
            if i + 1 < parts.len() {
                match fs::create_dir(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        let meta = fs::symlink_metadata(&path).map_err(|e| Error::io("write", &path, e))?;
                        if !meta.is_dir() {
                            return Err(refused(&path, "expected a folder"));
                        }
                    }
                    Err(e) => return Err(Error::io("create folder", &path, e)),
                }
            }
        }
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io("write", &path, e))?;
        file.write_all(bytes).map_err(|e| Error::io("write", &path, e))?;
        file.sync_all().map_err(|e| Error::io("write", &path, e))
    }

    /// Swaps the staging folder in. The previous report moves to `<out>.previous` first
    /// and back again if the swap fails; it is removed only once the new one is in place.
    fn commit(mut self, target: &Path) -> Result<()> {
        let previous = sibling(target, "previous");
        let existed = fs::symlink_metadata(target).is_ok();
        if existed {
            if fs::symlink_metadata(&previous).is_ok() {
                // Left by a run that stopped mid-swap; checked to be a report (or empty).
                check_replaceable(&previous, &previous)?;
                fs::remove_dir_all(&previous).map_err(|e| Error::io("remove", &previous, e))?;
            }
            fs::rename(target, &previous).map_err(|e| Error::io("move aside", target, e))?;
        }
        if let Err(e) = fs::rename(&self.dir, target) {
            if existed {
                let _ = fs::rename(&previous, target);
            }
            return Err(Error::io("write", target, e));
        }
        self.committed = true;
        // Also a `<out>.previous` left by a run stopped between the two renames (checked
        // to be a report by `check_output_dir`). `remove_dir_all` removes links, never what
        // they point to.
        if existed || fs::symlink_metadata(&previous).is_ok_and(|m| m.is_dir()) {
            check_replaceable(&previous, &previous)?;
            fs::remove_dir_all(&previous).map_err(|e| Error::io("remove", &previous, e))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Removes the staging folders of `<parent>/<name>` left by runs that were killed before
/// they could clean up: a folder `.<name>.writing-<pid>-...` whose first file, the report
/// marker, is there, and whose process has ended (on Linux, no `/proc/<pid>`; elsewhere,
/// untouched for a day). Anything else is left alone.
fn remove_stale_staging(parent: &Path, name: &str) {
    let prefix = format!(".{name}.writing-");
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        let path = entry.path();
        let is_staging = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir())
            && fs::symlink_metadata(path.join(REPORT_MARKER)).is_ok_and(|m| m.is_file());
        if is_staging && pid != std::process::id() && process_has_ended(pid, &path) {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

fn process_has_ended(pid: u32, staging: &Path) -> bool {
    if cfg!(target_os = "linux") {
        return !Path::new(&format!("/proc/{pid}")).exists();
    }
    let day = std::time::Duration::from_secs(24 * 60 * 60);
    fs::metadata(staging).and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|age| age > day))
}

/// The one way a name from a plan or data (a pilot id, a dimension) becomes part of a
/// file name: ASCII letters, digits, `-` and `_` kept, anything else (`/`, `.`, spaces,
/// accents) becomes `_`, at most 100 characters. Never empty.
///
/// ```
/// use coproduction::report::slug;
/// assert_eq!(slug("equity_tt_area"), "equity_tt_area");
/// assert_eq!(slug("/tmp/x_measures"), "_tmp_x_measures");
/// assert_eq!(slug("../.."), "_____");
/// assert_eq!(slug(""), "_");
/// ```
pub fn slug(name: &str) -> String {
    let mut out: String = name
        .chars()
        .take(100)
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// File stems given out in order: each a [`slug`], and a stem already given (ignoring
/// case, as Windows and macOS do) gets `-2`, `-3`, ... so the same report always gets the
/// same names.
#[derive(Debug, Default)]
pub(crate) struct FileNames {
    given: std::collections::HashSet<String>,
}

impl FileNames {
    pub(crate) fn unique(&mut self, name: &str) -> String {
        let base = slug(name);
        let mut stem = base.clone();
        let mut n = 1;
        while !self.given.insert(stem.to_ascii_lowercase()) {
            n += 1;
            stem = format!("{base}-{n}");
        }
        stem
    }
}

/// `<folder>.<suffix>` beside a folder.
fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!("{name}.{suffix}"))
}

/// The canonical form of a path that may not exist yet: its deepest existing ancestor
/// made canonical, then the rest of the path.
fn absolute(path: &Path) -> Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map_err(|e| Error::io("find the current folder", path, e))?.join(path)
    };
    let mut existing = joined.as_path();
    let mut rest = Vec::new();
    loop {
        // An existing link at the end is kept as a link (and refused by the checks).
        let is_link = fs::symlink_metadata(existing).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link || existing.parent().is_none() {
            if let Ok(canonical) = fs::canonicalize(existing) {
                let mut out = canonical;
                for part in rest.iter().rev() {
                    match part {
                        Component::ParentDir => {
                            out.pop();
                        }
                        Component::Normal(p) => out.push(p),
                        _ => {}
                    }
                }
                return Ok(out);
            }
        }
        let (Some(parent), Some(last)) = (existing.parent(), existing.components().next_back()) else {
            return Ok(joined);
        };
        rest.push(last);
        existing = parent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((p.strip_prefix(dir).unwrap().display().to_string(), fs::read(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn a_failure_mid_write_leaves_the_previous_report_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report");
        write_folder(&out, |put| {
            put("report.html", b"first")?;
            put("tables/a.csv", b"a")
        })
        .unwrap();
        let before = tree(&out);
        let err = write_folder(&out, |put| {
            put("report.html", b"second")?;
            put("tables/b.csv", b"b")?;
            Err(Error::io("write", "tables/sensitivity.csv", std::io::Error::other("file is locked")))
        })
        .unwrap_err();
        assert!(err.to_string().contains("sensitivity.csv"), "{err}");
        assert_eq!(tree(&out), before);
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["report"], "nothing partial is left beside the report");
        // A complete run replaces the folder whole: no stale file of the earlier run.
        write_folder(&out, |put| put("report.html", b"third")).unwrap();
        let files: Vec<String> = tree(&out).into_iter().map(|(n, _)| n).collect();
        assert_eq!(files, [REPORT_MARKER, "report.html"]);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn what_a_killed_run_left_is_cleared_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report");
        // Killed between the two renames: the old report is only at `report.previous`,
        // and the staging folder of the new one is still there. Pid 4,194,305 is above
        // Linux's largest, so no process has it.
        let staging = dir.path().join(".report.writing-4194305-0-0");
        let previous = dir.path().join("report.previous");
        for folder in [&staging, &previous] {
            fs::create_dir(folder).unwrap();
            fs::write(folder.join(REPORT_MARKER), MARKER_TEXT).unwrap();
        }
        // A look-alike that is not a staging folder of this crate is left alone.
        let foreign = dir.path().join(".report.writing-4194305-0-1");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("notes.txt"), "mine").unwrap();
        check_output_dir(&out, &[]).unwrap();
        write_folder(&out, |put| put("report.html", b"new")).unwrap();
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, [".report.writing-4194305-0-1", "report"]);
        assert_eq!(fs::read(out.join("report.html")).unwrap(), b"new");
    }

    #[test]
    fn colliding_names_are_numbered_in_order() {
        let mut names = FileNames::default();
        let got: Vec<String> = ["a/b", "a.b", "A_b", "a_b-2", "c"].iter().map(|n| names.unique(n)).collect();
        assert_eq!(got, ["a_b", "a_b-2", "A_b-3", "a_b-2-2", "c"]);
    }

    #[test]
    fn names_leaving_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report");
        for name in ["../x.csv", "/tmp/x", "tables//x.csv", "a/../../x"] {
            assert!(write_folder(&out, |put| put(name, b"x")).is_err(), "{name}");
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn outputs_over_inputs_and_foreign_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        fs::create_dir(&data).unwrap();
        let input = data.join("rejects.csv");
        fs::write(&input, "participant_id,pilot_id\n").unwrap();
        let inputs = [input.clone()];
        for out in [data.clone(), data.join("."), dir.path().to_path_buf(), input.clone(), data.join("x/..")]
        {
            assert!(check_output_dir(&out, &inputs).is_err(), "{}", out.display());
        }
        assert!(check_output_dir(&dir.path().join("report"), &inputs).is_ok());
        // A folder of someone's files, with no marker.
        let foreign = dir.path().join("foreign");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("notes.txt"), "mine").unwrap();
        let err = check_output_dir(&foreign, &[]).unwrap_err().to_string();
        assert!(err.contains(REPORT_MARKER), "{err}");
    }
}
