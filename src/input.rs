//! Reading what a user points captain at — a pipeline.toml, a CA file, a config file, the
//! lines of a ledger import — with a bound on its size.
//!
//! A path must name a regular file: a FIFO, a device (`/dev/zero`), a socket or a
//! directory is refused with an error naming what it is, before a byte is read (it is
//! opened without blocking, so a FIFO with no writer cannot hang the command). A file or
//! a line larger than its bound is refused without reading the rest. This room only
//! reads; what the bytes mean is for its callers.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// The largest pipeline.toml captain reads (the largest real ones are a few hundred KiB).
pub const PIPELINE_FILE_LIMIT: u64 = 4 << 20;
/// The largest small file a user names besides a pipeline.toml (a CA bundle, the user
/// config file).
pub const SMALL_FILE_LIMIT: u64 = 4 << 20;
/// The longest line of a ledger export an import takes: a release line holds every
/// commit the release introduced (about 150 bytes each), so this is room for a first
/// release of some 200,000 commits.
pub const IMPORT_LINE_LIMIT: usize = 32 << 20;

/// Reads the regular file at `path`, refusing anything else and anything over `limit`
/// bytes. The errors are [`io::Error`]s whose message says what was wrong ("it is a
/// FIFO, not a regular file"), for the caller to prefix with the file's name; a missing
/// file keeps [`io::ErrorKind::NotFound`].
pub fn read_regular_file(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (file, length) = open_regular(path)?;
    // Sized from the file's length (bounded by the limit): read in one call rather than
    // in doubling chunks from 32 bytes (nine reads for a 2 KB pipeline.toml). The limit
    // still holds if the file grows meanwhile: `take` reads at most one byte past it.
    let expected = usize::try_from(length.min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(expected.saturating_add(1));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("it is larger than {}", size(limit)),
        ));
    }
    Ok(bytes)
}

/// Opens `path` for reading if it is a regular file (checked on the opened file, so it
/// cannot be swapped in between).
fn open_regular(path: &Path) -> io::Result<(File, u64)> {
    let file = OpenOptions::new()
        .read(true)
        // A FIFO nobody writes to would block the open itself.
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)?;
    let metadata = file.metadata()?;
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok((file, metadata.len()));
    }
    let what = if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_dir() {
        "a directory"
    } else {
        "not a file"
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {what}, not a regular file"),
    ))
}

/// One line of `input` without its `\n` (or `\r\n`), at most `limit` bytes: `None` at the
/// end. A longer line is an [`io::ErrorKind::InvalidData`] error and is not read further.
pub fn read_line_bounded(input: &mut impl BufRead, limit: usize) -> Option<io::Result<Vec<u8>>> {
    let mut line = Vec::new();
    loop {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Some(Err(e)),
        };
        if chunk.is_empty() {
            return (!line.is_empty()).then_some(Ok(line));
        }
        let (taken, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(at) => (at, true),
            None => (chunk.len(), false),
        };
        if line.len() + taken > limit {
            return Some(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the line is longer than {}", size(limit as u64)),
            )));
        }
        line.extend_from_slice(&chunk[..taken]);
        input.consume(taken + usize::from(done));
        if done {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Some(Ok(line));
        }
    }
}

/// `4 MiB`, `512 KiB`, `100 bytes`.
fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_regular_files_within_the_bound_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.toml");
        std::fs::write(&file, b"name = \"app\"\n").unwrap();
        assert_eq!(read_regular_file(&file, 100).unwrap(), b"name = \"app\"\n");
        let e = read_regular_file(&file, 5).unwrap_err();
        assert_eq!(e.to_string(), "it is larger than 5 bytes");
        let e = read_regular_file(Path::new("/dev/zero"), 4 << 20).unwrap_err();
        assert_eq!(
            e.to_string(),
            "it is a character device, not a regular file"
        );
        let e = read_regular_file(dir.path(), 100).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
        assert_eq!(
            read_regular_file(&dir.path().join("nope"), 1)
                .unwrap_err()
                .kind(),
            io::ErrorKind::NotFound
        );
        // A FIFO without a writer: refused at once, not waited on.
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let e = read_regular_file(&fifo, 100).unwrap_err();
        assert_eq!(e.to_string(), "it is a FIFO, not a regular file");
    }

    #[test]
    fn lines_are_bounded() {
        let mut input = io::Cursor::new(b"one\r\ntwo\n\nthree-is-long\nfour".to_vec());
        let mut next = || read_line_bounded(&mut input, 5).map(|l| l.map_err(|e| e.to_string()));
        assert_eq!(next(), Some(Ok(b"one".to_vec())));
        assert_eq!(next(), Some(Ok(b"two".to_vec())));
        assert_eq!(next(), Some(Ok(Vec::new())));
        assert_eq!(next(), Some(Err("the line is longer than 5 bytes".into())));
        // A small buffer: the bound holds across refills.
        let mut input = io::BufReader::with_capacity(2, &b"abcdefgh\nx\n"[..]);
        assert!(read_line_bounded(&mut input, 8).unwrap().is_ok());
        assert_eq!(read_line_bounded(&mut input, 8).unwrap().unwrap(), b"x");
        assert!(read_line_bounded(&mut input, 8).is_none());
        let mut input = io::BufReader::with_capacity(2, &b"abcdefghi\n"[..]);
        assert!(read_line_bounded(&mut input, 8).unwrap().is_err());
    }
}
