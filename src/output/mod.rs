//! Writing results: output folders, atomic files, and the data formats of a run.
//!
//! Exporters return bytes; only [`OutputDir`] touches the file system. Every file is written
//! to a temporary name in its folder and renamed into place, so a reader never sees half a
//! file, and each command writes its marker file (`summary.json` of a run) last: its presence
//! marks a complete result. Who may write which folder: [`folder`].

pub mod data;
pub mod experiment;
pub mod folder;
pub mod format;

pub use folder::{OutputDir, Producer};
pub use format::{interval, number, short, signed_number, with_interval};

use std::io::Write;
use std::path::Path;

/// Writes `path` atomically (temporary file in the same folder, flushed, then renamed).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Writes `path` atomically but without waiting for the disk (no fsync): a reader never
/// sees half a file and a killed process loses nothing written, but after a power cut the
/// file may be empty. For many small files whose readers check what they read (a sweep's
/// point files), where an fsync per file would cost more than the work it records.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A temporary file in the folder of `path`, so that renaming it onto `path` is atomic.
fn temp_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    // Temporary files are created private (0600); results are for everyone who may read
    // the folder, like any file the user creates.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(tmp)
}

/// Writes `path` atomically from a writer, for files too large to hold in memory: `fill`
/// streams into a buffered temporary file in the same folder, which is renamed into place
/// only if `fill` succeeds (otherwise it is removed and nothing changes at `path`).
pub fn write_atomic_with<E: From<std::io::Error>>(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    write_atomic_with_then(path, fill, || Ok(()))
}

/// Like [`write_atomic_with`], but runs `then` once the file is complete and on disk, and
/// renames it into place only if `then` succeeds too: for a file whose presence marks a
/// folder as finished (a sweep's `results.csv`), so that it appears after everything `then`
/// writes.
pub fn write_atomic_with_then<E: From<std::io::Error>>(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
    then: impl FnOnce() -> Result<(), E>,
) -> Result<(), E> {
    let mut tmp = temp_beside(path)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    then()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A file written as work completes and put in place whole at the end: the bytes go to a
/// temporary file beside `path` (`.tmp…`, which folders ignore), renamed onto `path` by
/// [`AtomicFile::commit`]. Dropped without a commit (an error, a stop), the temporary file is
/// removed and nothing changes at `path`.
pub struct AtomicFile {
    path: std::path::PathBuf,
    w: std::io::BufWriter<tempfile::NamedTempFile>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> std::io::Result<AtomicFile> {
        Ok(AtomicFile {
            path: path.to_path_buf(),
            w: std::io::BufWriter::with_capacity(1 << 16, temp_beside(path)?),
        })
    }

    /// Flushes the file to disk and renames it into place.
    pub fn commit(self) -> std::io::Result<()> {
        let tmp = self.w.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.w.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.w.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(&dir.path().join("a.csv"), b"x\n").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        assert_eq!(std::fs::read(dir.path().join("a.csv")).unwrap(), b"x\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("a.csv"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o644, "results are readable by others");
        }
    }
}
