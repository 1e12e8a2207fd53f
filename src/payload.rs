//! Which o2check binary cluster mode and scenarios copy to the nodes. The nodes
//! often run an older distribution than the host (EL7's glibc 2.17), so the copy
//! must be portable: statically linked, or needing no glibc symbol newer than 2.17.
//! Picked in this order: `--payload FILE`; this binary when it is portable; the
//! portable build next to it; else this binary, with a warning that says so.

use o2check_cluster::deploy::Payload;
use std::path::{Path, PathBuf};

/// The newest glibc symbol version a portable binary may need (EL7 ships 2.17).
pub const OLDEST_GLIBC: (u32, u32) = (2, 17);

/// The target the portable build is made for (scripts/build-portable).
pub const PORTABLE_TARGET: &str = "x86_64-unknown-linux-musl";

/// A binary larger than this is not an o2check build (the release one is ~40 MB).
const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// What an executable needs from the node it runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linkage {
    /// No program interpreter: starts on any Linux kernel of its architecture.
    Static,
    /// Dynamically linked; the newest `GLIBC_x.y` version it needs, if any.
    Dynamic { newest_glibc: Option<(u32, u32)> },
    /// Not a 64-bit little-endian ELF file (or a damaged one).
    NotElf,
}

impl Linkage {
    pub fn is_portable(&self) -> bool {
        match self {
            Linkage::Static => true,
            Linkage::Dynamic { newest_glibc } => newest_glibc.is_none_or(|v| v <= OLDEST_GLIBC),
            Linkage::NotElf => false,
        }
    }

    /// A few words for a warning: "needs glibc 2.34".
    pub fn describe(&self) -> String {
        match self {
            Linkage::Static => "statically linked".into(),
            Linkage::Dynamic {
                newest_glibc: Some((a, b)),
            } => format!("needs glibc {a}.{b} or newer"),
            Linkage::Dynamic { newest_glibc: None } => "dynamically linked".into(),
            Linkage::NotElf => "not an x86_64 ELF executable".into(),
        }
    }
}

/// The payload picked, and a warning line to print when it may not start on old nodes.
pub struct Chosen {
    pub payload: Payload,
    pub warning: Option<String>,
}

/// Pick the binary to deploy (see the module doc). `explicit` is `--payload`.
pub fn choose(explicit: Option<&Path>, version_line: &str) -> Result<Chosen, String> {
    let running = std::env::current_exe().map_err(|e| format!("cannot find this o2check: {e}"))?;
    if let Some(path) = explicit {
        let bytes = read_binary(path)?;
        let linkage = linkage(&bytes);
        if linkage == Linkage::NotElf {
            return Err(format!(
                "--payload {}: {}",
                path.display(),
                linkage.describe()
            ));
        }
        let warning = (!linkage.is_portable()).then(|| {
            format!(
                "o2check: warning: --payload {} {}; nodes with an older glibc cannot start it",
                path.display(),
                linkage.describe()
            )
        });
        return Ok(chosen(bytes, version_line, warning));
    }
    // /proc/self/exe still reads when the file was replaced since it started.
    let own = std::fs::read("/proc/self/exe")
        .or_else(|_| std::fs::read(&running))
        .map_err(|e| format!("cannot read this o2check binary: {e}"))?;
    let own_linkage = linkage(&own);
    if own_linkage.is_portable() {
        return Ok(chosen(own, version_line, None));
    }
    for candidate in portable_candidates(&running) {
        let Ok(bytes) = read_binary(&candidate) else {
            continue;
        };
        if !linkage(&bytes).is_portable() {
            continue;
        }
        let warning = is_older(&candidate, &running).then(|| {
            format!(
                "o2check: warning: deploying {}, which is older than this binary; \
                 rebuild it with scripts/build-portable",
                candidate.display()
            )
        });
        return Ok(chosen(bytes, version_line, warning));
    }
    let warning = format!(
        "o2check: warning: the copy for nodes is this host's binary {} ({}): nodes with an \
         older glibc (EL7, EL8, Ubuntu 20.04) cannot start it; build the portable one \
         (scripts/build-portable) or pass --payload FILE",
        running.display(),
        own_linkage.describe()
    );
    Ok(chosen(own, version_line, Some(warning)))
}

fn chosen(bytes: Vec<u8>, version_line: &str, warning: Option<String>) -> Chosen {
    Chosen {
        payload: Payload::from_bytes(version_line, bytes),
        warning,
    }
}

/// Where the portable build sits next to `running`: `o2check.portable` in the same
/// directory (a release tarball), or cargo's layout (`target/release/o2check` ->
/// `target/x86_64-unknown-linux-musl/release/o2check`).
pub fn portable_candidates(running: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Some(dir) = running.parent() else {
        return out;
    };
    out.push(dir.join("o2check.portable"));
    if let (Some(profile), Some(target_dir)) = (dir.file_name(), dir.parent()) {
        out.push(
            target_dir
                .join(PORTABLE_TARGET)
                .join(profile)
                .join("o2check"),
        );
    }
    out
}

fn is_older(candidate: &Path, running: &Path) -> bool {
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((mtime(candidate), mtime(running)), (Some(c), Some(r)) if c < r)
}

fn read_binary(path: &Path) -> Result<Vec<u8>, String> {
    let md = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !md.is_file() || md.len() > MAX_BYTES {
        return Err(format!(
            "{} is not a regular file of at most 256 MiB",
            path.display()
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// How `bytes` (an executable) is linked: from its program headers (PT_INTERP
/// means dynamic) and its version-needs section (SHT_GNU_verneed) naming the glibc
/// versions it uses, the same tables `objdump -p` prints (ELF gABI; glibc
/// elf/elf.h for the GNU extensions).
pub fn linkage(bytes: &[u8]) -> Linkage {
    elf_linkage(bytes).unwrap_or(Linkage::NotElf)
}

const PT_INTERP: u32 = 3;
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;

fn elf_linkage(b: &[u8]) -> Option<Linkage> {
    // 64-bit (class 2), little-endian (data 1).
    if b.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let phoff = usize::try_from(u64_at(b, 0x20)?).ok()?;
    let shoff = usize::try_from(u64_at(b, 0x28)?).ok()?;
    let (phentsize, phnum) = (u16_at(b, 0x36)? as usize, u16_at(b, 0x38)? as usize);
    let (shentsize, shnum) = (u16_at(b, 0x3a)? as usize, u16_at(b, 0x3c)? as usize);
    let mut interp = false;
    for i in 0..phnum {
        interp |= u32_at(b, phoff.checked_add(i.checked_mul(phentsize)?)?)? == PT_INTERP;
    }
    if !interp {
        return Some(Linkage::Static);
    }
    let section = |i: usize| shoff.checked_add(i.checked_mul(shentsize)?);
    let mut newest: Option<(u32, u32)> = None;
    for i in 0..shnum {
        let sh = section(i)?;
        if u32_at(b, sh.checked_add(4)?)? != SHT_GNU_VERNEED {
            continue;
        }
        let offset = usize::try_from(u64_at(b, sh.checked_add(0x18)?)?).ok()?;
        let link = section(u32_at(b, sh.checked_add(0x28)?)? as usize)?;
        let strtab = usize::try_from(u64_at(b, link.checked_add(0x18)?)?).ok()?;
        let count = u32_at(b, sh.checked_add(0x2c)?)?;
        let mut need = offset;
        // Bounded by the section's own count, so a looping chain cannot hang.
        for _ in 0..count {
            let (aux_count, aux_first, next) = (
                u16_at(b, need.checked_add(2)?)?,
                u32_at(b, need.checked_add(8)?)? as usize,
                u32_at(b, need.checked_add(12)?)? as usize,
            );
            let mut aux = need.checked_add(aux_first)?;
            for _ in 0..aux_count {
                let name = c_str(
                    b,
                    strtab.checked_add(u32_at(b, aux.checked_add(8)?)? as usize)?,
                )?;
                if let Some(v) = glibc_version(name) {
                    newest = newest.max(Some(v));
                }
                aux = aux.checked_add(u32_at(b, aux.checked_add(12)?)? as usize)?;
            }
            if next == 0 {
                break;
            }
            need = need.checked_add(next)?;
        }
    }
    Some(Linkage::Dynamic {
        newest_glibc: newest,
    })
}

/// `GLIBC_2.17` -> (2, 17); `GLIBC_2.2.5` -> (2, 2); anything else -> None.
fn glibc_version(name: &[u8]) -> Option<(u32, u32)> {
    let rest = std::str::from_utf8(name.strip_prefix(b"GLIBC_")?).ok()?;
    let mut parts = rest.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn c_str(b: &[u8], at: usize) -> Option<&[u8]> {
    let tail = b.get(at..)?;
    Some(&tail[..tail.iter().position(|&c| c == 0)?])
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_test_binary_is_dynamic_and_needs_a_real_glibc_version() {
        // The test binary is built for the host (glibc), like target/release/o2check.
        let bytes = std::fs::read("/proc/self/exe").unwrap();
        match linkage(&bytes) {
            Linkage::Dynamic {
                newest_glibc: Some(v),
            } => assert!(v >= (2, 2), "{v:?}"),
            other => panic!("expected a glibc binary, got {other:?}"),
        }
    }

    #[test]
    fn a_system_tool_reports_the_same_newest_glibc_as_objdump() {
        // objdump -p is what CI checks the portable build with; agree with it.
        let tool = Path::new("/bin/ls");
        let Ok(out) = std::process::Command::new("objdump")
            .arg("-p")
            .arg(tool)
            .output()
        else {
            return; // binutils not installed: nothing to compare with
        };
        let text = String::from_utf8_lossy(&out.stdout);
        let objdump_newest = text
            .split_whitespace()
            .filter_map(|w| glibc_version(w.as_bytes()))
            .max();
        let ours = linkage(&std::fs::read(tool).unwrap());
        assert_eq!(
            ours,
            Linkage::Dynamic {
                newest_glibc: objdump_newest
            }
        );
    }

    #[test]
    fn the_portable_build_is_static_when_it_was_built() {
        // scripts/test builds it before the tests; a developer may not have.
        let built = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join(PORTABLE_TARGET)
            .join("release/o2check");
        let Ok(bytes) = std::fs::read(&built) else {
            eprintln!("{} not built: scripts/build-portable", built.display());
            return;
        };
        assert_eq!(linkage(&bytes), Linkage::Static);
    }

    #[test]
    fn glibc_version_names() {
        assert_eq!(glibc_version(b"GLIBC_2.17"), Some((2, 17)));
        assert_eq!(glibc_version(b"GLIBC_2.2.5"), Some((2, 2)));
        assert_eq!(glibc_version(b"GLIBC_PRIVATE"), None);
        assert_eq!(glibc_version(b"GCC_3.0"), None);
    }

    #[test]
    fn portability_threshold_is_el7() {
        let dyn_with = |v| Linkage::Dynamic {
            newest_glibc: Some(v),
        };
        assert!(dyn_with((2, 17)).is_portable());
        assert!(!dyn_with((2, 18)).is_portable());
        assert!(!dyn_with((2, 34)).is_portable());
        assert!(Linkage::Static.is_portable());
        assert!(!Linkage::NotElf.is_portable());
    }

    #[test]
    fn damaged_or_foreign_files_are_not_elf_and_never_panic() {
        let real = std::fs::read("/proc/self/exe").unwrap();
        assert_eq!(linkage(b"#!/bin/sh\necho hi\n"), Linkage::NotElf);
        assert_eq!(linkage(b""), Linkage::NotElf);
        // Every truncation of the real header and tables: an answer, no panic.
        for len in (0..real.len().min(1 << 16)).step_by(97) {
            let _ = linkage(&real[..len]);
        }
        // Offsets pointing far outside the file.
        let mut bad = real[..64].to_vec();
        bad[0x20..0x28].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(linkage(&bad), Linkage::NotElf);
    }

    #[test]
    fn candidates_follow_cargo_layout() {
        let c = portable_candidates(Path::new("/src/target/release/o2check"));
        assert_eq!(c[0], Path::new("/src/target/release/o2check.portable"));
        assert_eq!(
            c[1],
            Path::new("/src/target/x86_64-unknown-linux-musl/release/o2check")
        );
    }
}
