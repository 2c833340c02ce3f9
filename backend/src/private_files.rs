//! Files and directories only the server's own user can read: the data directory is 0700 and
//! everything Reel writes in it 0600, so another account on the machine reads neither the
//! database nor the videos.

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode of every directory Reel creates.
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file Reel creates.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and its missing parents as 0700.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)
}

/// Creates `dir` if needed and makes it 0700 even if it existed (an older Reel made it 0755).
pub fn secure_dir(dir: &Path) -> io::Result<()> {
    create_dir(dir)?;
    fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))
}

/// Options that create a file as 0600.
pub fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.mode(FILE_MODE);
    options
}

/// Makes an existing file 0600; a missing one is fine.
pub fn secure_file(path: &Path) -> io::Result<()> {
    match fs::set_permissions(path, Permissions::from_mode(FILE_MODE)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Creates an empty 0600 file unless it exists.
pub fn touch(path: &Path) -> io::Result<File> {
    options().create(true).append(true).open(path)
}
