//! The binary as it ships: on x86_64 Linux a static executable at a fixed address (see
//! `.cargo/config.toml`), which still finds host names and the user running it.

use super::common::{SMALL_PIPELINE, TestEnv};

/// ELF program header types.
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
/// ELF file type of an executable linked at a fixed address (a PIE is `ET_DYN`).
const ET_EXEC: u16 = 2;

fn u16_at(bytes: &[u8], offset: usize) -> u16 {
    u16::from_le_bytes(bytes[offset..offset + 2].try_into().expect("two bytes"))
}

fn u64_at(bytes: &[u8], offset: usize) -> u64 {
    u64::from_le_bytes(bytes[offset..offset + 8].try_into().expect("eight bytes"))
}

/// The file type and the program header types of a little-endian ELF64 file.
fn elf_kind_and_segments(path: &str) -> (u16, Vec<u32>) {
    let bytes = std::fs::read(path).expect("read the binary");
    assert_eq!(&bytes[..4], b"\x7fELF", "{path} is not an ELF file");
    assert_eq!(bytes[4], 2, "{path} is not a 64-bit ELF file");
    let header_at = usize::try_from(u64_at(&bytes, 32)).expect("offset");
    let entry_size = usize::from(u16_at(&bytes, 54));
    let entries = usize::from(u16_at(&bytes, 56));
    let segments = (0..entries)
        .map(|i| {
            let at = header_at + i * entry_size;
            u32::from_le_bytes(bytes[at..at + 4].try_into().expect("four bytes"))
        })
        .collect();
    (u16_at(&bytes, 16), segments)
}

#[test]
#[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
fn the_binary_needs_no_loader_and_no_relocation() {
    let (kind, segments) = elf_kind_and_segments(env!("CARGO_BIN_EXE_captain"));
    assert!(
        !segments.contains(&PT_INTERP) && !segments.contains(&PT_DYNAMIC),
        "captain is linked dynamically (program headers {segments:?}); .cargo/config.toml \
         builds it with crt-static for x86_64-unknown-linux-gnu"
    );
    assert_eq!(kind, ET_EXEC, "captain is position-independent");
}

/// Static glibc resolves `localhost` from /etc/hosts itself: the request reaches the
/// address and is refused, rather than failing to look the name up.
#[test]
fn a_server_named_by_host_name_is_looked_up() {
    let env = TestEnv::local();
    env.init_repo(SMALL_PIPELINE);
    let run = env.run(&["status", "--state", "http://localhost:1"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("Connection refused") && !run.stderr.contains("lookup"),
        "{}",
        run.stderr
    );
}

/// With no actor variable set (not even USER: the test environment is cleared), the actor
/// is the name /etc/passwd gives this process's user, as `id -un` reads it.
#[test]
fn the_actor_falls_back_to_the_user_database() {
    let env = TestEnv::local();
    env.init_repo(SMALL_PIPELINE);
    let id = std::process::Command::new("id")
        .arg("-un")
        .output()
        .expect("run id -un");
    // A user /etc/passwd does not know (a bare uid in a container) is "unknown" to both.
    let user = match String::from_utf8_lossy(&id.stdout).trim() {
        name if id.status.success() && !name.is_empty() => name.to_string(),
        _ => "unknown".to_string(),
    };
    let run: super::common::Run = env
        .command()
        .env_remove("CAPTAIN_ACTOR")
        .args(["release", "create"])
        .output()
        .expect("run")
        .into();
    run.ok();
    let listed = env.run(&["release", "list", "--json"]).ok().json();
    assert_eq!(listed["releases"][0]["actor"], user.as_str(), "{listed}");
}
