//! Builds a fixture node tree into a temporary directory with the file
//! modes and owners git cannot keep (feature `testing`: for this crate's
//! tests and the CLI's `kubefort node` tests). The fixtures are in
//! `crates/kubefort-node/tests/fixtures`: `kubeadm` (kubeadm's defaults),
//! `hardened` and `bad`.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// How modes and owners are laid out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Layout {
    /// What kubeadm leaves: 600 for manifests, kubeconfigs and keys, 644
    /// for certificates, the kubelet config and its drop-in; no etcd user.
    Kubeadm,
    /// Everything tight, an etcd user owning the data directory.
    Hardened,
    /// World-writable files, and owned by someone other than root.
    Loose,
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn chmod_all(dir: &Path, mode_of: &dyn Fn(&Path, bool) -> u32) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let is_dir = path.is_dir();
        if is_dir {
            chmod_all(&path, mode_of);
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode_of(&path, is_dir))).unwrap();
    }
}

/// A fresh copy of fixture `name` laid out as `layout`, with `/proc` command
/// lines (`(pid, argv)`) added.
pub fn build(name: &str, layout: Layout, processes: &[(u32, &[&str])]) -> PathBuf {
    // One directory per call: tests running in parallel build the same fixture.
    static BUILT: AtomicUsize = AtomicUsize::new(0);
    let n = BUILT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("kubefort-node-{}-{n}-{name}-{layout:?}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy(&fixture(name), &dir);
    let me = std::fs::metadata(&dir).unwrap();
    let (uid, gid) = (me.uid(), me.gid());
    // Who "root" and "etcd" are on this node: the files' real owner, so the
    // owner checks can pass without privileges (or someone else, to fail).
    let (root_uid, root_gid) = if layout == Layout::Loose { (uid + 1, gid + 1) } else { (uid, gid) };
    let mut passwd = format!("root:x:{root_uid}:{root_gid}:root:/root:/bin/sh\n");
    let mut group = format!("root:x:{root_gid}:\n");
    if layout == Layout::Hardened {
        passwd.push_str(&format!("etcd:x:{uid}:{gid}:etcd:/var/lib/etcd:/usr/sbin/nologin\n"));
        group.push_str(&format!("etcd:x:{gid}:\n"));
    }
    std::fs::create_dir_all(dir.join("etc")).unwrap();
    std::fs::write(dir.join("etc/passwd"), passwd).unwrap();
    std::fs::write(dir.join("etc/group"), group).unwrap();
    for (pid, argv) in processes {
        let proc_dir = dir.join(format!("proc/{pid}"));
        std::fs::create_dir_all(&proc_dir).unwrap();
        std::fs::write(proc_dir.join("cmdline"), argv.join("\0") + "\0").unwrap();
    }
    chmod_all(&dir, &|path: &Path, is_dir: bool| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match layout {
            Layout::Loose => {
                if is_dir {
                    0o777
                } else {
                    0o666
                }
            }
            _ if is_dir && name == "etcd" && path.parent().is_some_and(|p| p.ends_with("var/lib")) => 0o700,
            _ if is_dir => 0o755,
            Layout::Kubeadm
                if name == "config.yaml" || name == "10-kubeadm.conf" || name == "passwd" || name == "group" =>
            {
                0o644
            }
            _ if name.ends_with(".crt")
                || name.ends_with(".pub")
                || name == "passwd"
                || name == "group"
                || name == "cmdline" =>
            {
                0o644
            }
            _ => 0o600,
        }
    });
    dir
}
