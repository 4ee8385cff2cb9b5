//! The pipeline's outline for views, kept between commands.
//!
//! A view (`where`, `history`) needs of pipeline.toml only its name, its `[state]` and its
//! environments, but expanding the file to find them builds every stage's settings: on the
//! large case (160 environments in 33 stages) 1.8 M instructions, a quarter of `where`
//! (issue 16). So the outline of a file that loaded without a problem is kept in the
//! user's cache directory, under the digest of its text, and the next view with the same
//! text reads it instead: its digest and this very binary are checked first, so an edited
//! file, or another build of captain, expands the file again (and reports its problems).
//!
//! The cache only ever saves time: a missing, unreadable or unwritable cache directory,
//! or a damaged entry, means the file is expanded as without it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{Outline, Pipeline, read_pipeline_text};
use crate::error::Result;

/// `CAPTAIN_CACHE_DIR` overrides where outlines are kept (empty: keep none).
pub const CACHE_DIR_VARIABLE: &str = "CAPTAIN_CACHE_DIR";

/// Entries kept at most; writing one more removes the oldest.
const KEPT_ENTRIES: usize = 32;

/// What an entry holds: the outline (its digest names the text it was made from), and
/// the captain that made it.
#[derive(Serialize, Deserialize)]
struct Entry {
    /// [`binary_identity`] of the captain that wrote it.
    captain: String,
    outline: Outline,
}

/// The outline of the pipeline file at `path`: from the cache when it holds one for this
/// text written by this binary, else by loading the file (whose problems are reported as
/// [`Pipeline::load`] reports them), keeping the result for the next view.
pub fn load(path: &Path) -> Result<Outline> {
    load_in(cache_dir().as_deref(), path)
}

/// [`load`] with outlines kept in `dir` (`None`: none kept).
fn load_in(dir: Option<&Path>, path: &Path) -> Result<Outline> {
    let text = read_pipeline_text(path)?;
    let digest = crate::model::pipeline_digest(&text);
    let entry_path = dir.map(|dir| entry_path(dir, &digest));
    let identity = binary_identity();
    if let (Some(entry_path), Some(identity)) = (&entry_path, &identity) {
        if let Some(outline) = read_entry(entry_path, identity, &digest, path) {
            return Ok(outline);
        }
    }
    let outline = Pipeline::from_text(&text, path)?.outline();
    if let (Some(entry_path), Some(identity)) = (&entry_path, identity) {
        write_entry(entry_path, identity, &outline);
    }
    Ok(outline)
}

/// Where outlines are kept, if anywhere.
fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os(CACHE_DIR_VARIABLE) {
        Some(dir) if dir.is_empty() => None,
        Some(dir) => Some(PathBuf::from(dir)),
        None => Some(
            directories::ProjectDirs::from("", "", "captain")?
                .cache_dir()
                .join("outlines"),
        ),
    }
}

/// Where the entry for `digest` lives in `dir`.
fn entry_path(dir: &Path, digest: &str) -> PathBuf {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    dir.join(format!("{hex}.json"))
}

/// This binary, as an entry names the captain that wrote it: its version, size and
/// modification time (a rebuilt captain may expand the same text differently).
fn binary_identity() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{} {} {}",
        env!("CARGO_PKG_VERSION"),
        meta.len(),
        modified.as_nanos()
    ))
}

fn read_entry(entry_path: &Path, identity: &str, digest: &str, source: &Path) -> Option<Outline> {
    let bytes =
        crate::input::read_regular_file(entry_path, crate::input::PIPELINE_FILE_LIMIT).ok()?;
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    (entry.captain == identity && entry.outline.digest == digest).then(|| Outline {
        source: source.to_path_buf(),
        ..entry.outline
    })
}

/// Keeps `outline` under `entry_path`, whole or not at all (written beside it, then
/// renamed over it); any failure leaves the cache as it was.
fn write_entry(entry_path: &Path, identity: String, outline: &Outline) {
    let Some(dir) = entry_path.parent() else {
        return;
    };
    let entry = Entry {
        captain: identity,
        outline: outline.clone(),
    };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        prune(dir);
        // Created 0600: `[state]` may hold a database URL.
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        // One write: serde_json writes a file piece by piece (683 system calls).
        std::io::Write::write_all(&mut file, &serde_json::to_vec(&entry)?)?;
        file.persist(entry_path).map_err(|e| e.error)?;
        Ok(())
    };
    let _ = write();
}

/// Removes the oldest entries so that one more leaves at most [`KEPT_ENTRIES`].
fn prune(dir: &Path) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<(std::time::SystemTime, PathBuf)> = listing
        .flatten()
        .filter_map(|e| {
            let modified = e.metadata().ok()?.modified().ok()?;
            Some((modified, e.path()))
        })
        .collect();
    if entries.len() < KEPT_ENTRIES {
        return;
    }
    entries.sort();
    for (_, path) in &entries[..=entries.len() - KEPT_ENTRIES] {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing test should panic with the error it got
mod tests {
    use super::*;

    const PIPELINE: &str =
        "name = \"app\"\n\n[[stages]]\nname = \"beta\"\nenvironments = [\"beta-1\", \"beta-2\"]\n";

    fn entries(dir: &Path) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|l| l.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        found.sort();
        found
    }

    #[test]
    fn a_view_reads_the_outline_it_kept_for_the_same_text() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, file) = (dir.path().join("cache"), dir.path().join("pipeline.toml"));
        std::fs::write(&file, PIPELINE).unwrap();
        let first = load_in(Some(&cache), &file).unwrap();
        assert_eq!(first.name, "app");
        assert_eq!(first.environments, ["beta-1", "beta-2"]);
        assert_eq!(first, Pipeline::load(&file).unwrap().outline());
        let kept = entries(&cache);
        assert_eq!(kept.len(), 1);
        // The second view reads the entry, not the file's expansion: an entry changed in
        // place (same text, same binary) is what it answers.
        let text = std::fs::read_to_string(&kept[0]).unwrap();
        std::fs::write(&kept[0], text.replace("beta-2", "from-the-cache")).unwrap();
        let second = load_in(Some(&cache), &file).unwrap();
        assert_eq!(second.environments, ["beta-1", "from-the-cache"]);
        assert_eq!(second.source, file);
    }

    #[test]
    fn an_edited_file_is_expanded_again_and_its_problems_reported() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, file) = (dir.path().join("cache"), dir.path().join("pipeline.toml"));
        std::fs::write(&file, PIPELINE).unwrap();
        load_in(Some(&cache), &file).unwrap();
        std::fs::write(&file, PIPELINE.replace("\"beta-2\"", "\"beta-3\"")).unwrap();
        let edited = load_in(Some(&cache), &file).unwrap();
        assert_eq!(edited.environments, ["beta-1", "beta-3"]);
        assert_eq!(entries(&cache).len(), 2);
        // An invalid file is an error as from Pipeline::load, and nothing is kept for it.
        std::fs::write(&file, PIPELINE.replace("name = \"beta\"", "name = 7")).unwrap();
        let error = load_in(Some(&cache), &file).unwrap_err();
        assert!(
            error.to_string().contains("is not a valid pipeline"),
            "{error}"
        );
        assert_eq!(entries(&cache).len(), 2);
    }

    #[test]
    fn an_entry_of_another_binary_or_a_damaged_one_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, file) = (dir.path().join("cache"), dir.path().join("pipeline.toml"));
        std::fs::write(&file, PIPELINE).unwrap();
        load_in(Some(&cache), &file).unwrap();
        let entry = entries(&cache).remove(0);
        let text = std::fs::read_to_string(&entry).unwrap();
        let other = text.replace(&binary_identity().unwrap(), "0.0.0 1 2");
        std::fs::write(&entry, other.replace("beta-2", "stale")).unwrap();
        assert_eq!(
            load_in(Some(&cache), &file).unwrap().environments,
            ["beta-1", "beta-2"]
        );
        assert_eq!(std::fs::read_to_string(&entry).unwrap(), text);
        std::fs::write(&entry, "{ not json").unwrap();
        assert_eq!(
            load_in(Some(&cache), &file).unwrap().environments,
            ["beta-1", "beta-2"]
        );
        assert_eq!(std::fs::read_to_string(&entry).unwrap(), text);
    }

    #[test]
    fn no_cache_directory_or_an_unwritable_one_only_costs_time() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pipeline.toml");
        std::fs::write(&file, PIPELINE).unwrap();
        assert_eq!(load_in(None, &file).unwrap().environments.len(), 2);
        // A file where the directory should be: nothing can be kept, the view still answers.
        let blocked = dir.path().join("blocked");
        std::fs::write(&blocked, "").unwrap();
        assert_eq!(
            load_in(Some(&blocked), &file).unwrap().environments.len(),
            2
        );
    }

    #[test]
    fn at_most_the_newest_entries_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, file) = (dir.path().join("cache"), dir.path().join("pipeline.toml"));
        for n in 0..KEPT_ENTRIES + 5 {
            std::fs::write(&file, PIPELINE.replace("beta-2", &format!("beta-{n}x"))).unwrap();
            load_in(Some(&cache), &file).unwrap();
        }
        assert_eq!(entries(&cache).len(), KEPT_ENTRIES);
        // The newest is among them: the file as it is now reads from its entry.
        let newest = crate::model::pipeline_digest(&std::fs::read_to_string(&file).unwrap());
        assert!(entry_path(&cache, &newest).is_file());
    }
}
