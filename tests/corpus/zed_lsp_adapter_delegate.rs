//! `LspAdapterDelegate`: zed-industries/zed, `crates/language/src/language.rs` (the editor; a 2025 version).
//! Used through `dyn`: yes, `Arc<dyn LspAdapterDelegate>` / `&dyn LspAdapterDelegate` passed to
//! every language server adapter.
//! Shape: `Send + Sync`; sync methods returning borrowed `&Path` and `Arc<dyn ..>` trait objects;
//! async methods with borrowed `&str`, `&OsStr`, `&LanguageServerName` arguments.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub type Result<T, E = String> = std::result::Result<T, E>;
pub struct App;
pub trait HttpClient: Send + Sync {}
pub struct NoHttp;
impl HttpClient for NoHttp {}
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorktreeId(pub usize);
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageServerName(pub String);
#[derive(Debug, Clone)]
pub enum BinaryStatus {
    None,
    Downloading,
}
pub trait LspAdapter: Send + Sync {}
#[derive(Debug, Clone)]
pub struct LanguageServerBinary {
    pub path: PathBuf,
}

pub struct LocalDelegate {
    pub root: PathBuf,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // zed-industries/zed, `crates/language/src/language.rs` (the editor; a 2025 version).
    #[async_trait::async_trait]
    pub trait LspAdapterDelegate: Send + Sync {
        fn show_notification(&self, message: &str, cx: &mut App);
        fn http_client(&self) -> Arc<dyn HttpClient>;
        fn worktree_id(&self) -> WorktreeId;
        fn worktree_root_path(&self) -> &Path;
        fn exists(&self, path: &Path, is_dir: Option<bool>) -> bool;
        fn update_status(&self, language: LanguageServerName, status: BinaryStatus);
        fn registered_lsp_adapters(&self) -> Vec<Arc<dyn LspAdapter>>;
        async fn language_server_download_dir(
            &self,
            name: &LanguageServerName,
        ) -> Option<Arc<Path>>;

        async fn npm_package_installed_version(
            &self,
            package_name: &str,
        ) -> Result<Option<(PathBuf, String)>>;
        async fn which(&self, command: &OsStr) -> Option<PathBuf>;
        async fn shell_env(&self) -> HashMap<String, String>;
        async fn read_text_file(&self, path: PathBuf) -> Result<String>;
        async fn try_exec(&self, binary: LanguageServerBinary) -> Result<()>;
    }

    #[async_trait::async_trait]
    impl LspAdapterDelegate for LocalDelegate {
        fn show_notification(&self, message: &str, cx: &mut App) {}
        fn http_client(&self) -> Arc<dyn HttpClient> {
            Arc::new(NoHttp)
        }
        fn worktree_id(&self) -> WorktreeId {
            WorktreeId(1)
        }
        fn worktree_root_path(&self) -> &Path {
            &self.root
        }
        fn exists(&self, path: &Path, is_dir: Option<bool>) -> bool {
            false
        }
        fn update_status(&self, language: LanguageServerName, status: BinaryStatus) {}
        fn registered_lsp_adapters(&self) -> Vec<Arc<dyn LspAdapter>> {
            Vec::new()
        }
        async fn language_server_download_dir(
            &self,
            name: &LanguageServerName,
        ) -> Option<Arc<Path>> {
            Some(Arc::from(self.root.join(&name.0)))
        }
        async fn npm_package_installed_version(
            &self,
            package_name: &str,
        ) -> Result<Option<(PathBuf, String)>> {
            Ok(None)
        }
        async fn which(&self, command: &OsStr) -> Option<PathBuf> {
            Some(Path::new("/usr/bin").join(command))
        }
        async fn shell_env(&self) -> HashMap<String, String> {
            HashMap::new()
        }
        async fn read_text_file(&self, path: PathBuf) -> Result<String> {
            Err(format!("{} not found", path.display()))
        }
        async fn try_exec(&self, binary: LanguageServerBinary) -> Result<()> {
            Ok(())
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // zed-industries/zed, `crates/language/src/language.rs` (the editor; a 2025 version).
    #[hybrid_dispatch::dyn_twin(DynLspAdapterDelegate, send = SendDynLspAdapterDelegate)]
    pub trait LspAdapterDelegate: Send + Sync {
        fn show_notification(&self, message: &str, cx: &mut App);
        fn http_client(&self) -> Arc<dyn HttpClient>;
        fn worktree_id(&self) -> WorktreeId;
        fn worktree_root_path(&self) -> &Path;
        fn exists(&self, path: &Path, is_dir: Option<bool>) -> bool;
        fn update_status(&self, language: LanguageServerName, status: BinaryStatus);
        fn registered_lsp_adapters(&self) -> Vec<Arc<dyn LspAdapter>>;
        async fn language_server_download_dir(
            &self,
            name: &LanguageServerName,
        ) -> Option<Arc<Path>>;

        async fn npm_package_installed_version(
            &self,
            package_name: &str,
        ) -> Result<Option<(PathBuf, String)>>;
        async fn which(&self, command: &OsStr) -> Option<PathBuf>;
        async fn shell_env(&self) -> HashMap<String, String>;
        async fn read_text_file(&self, path: PathBuf) -> Result<String>;
        async fn try_exec(&self, binary: LanguageServerBinary) -> Result<()>;
    }

    impl LspAdapterDelegate for LocalDelegate {
        fn show_notification(&self, message: &str, cx: &mut App) {}
        fn http_client(&self) -> Arc<dyn HttpClient> {
            Arc::new(NoHttp)
        }
        fn worktree_id(&self) -> WorktreeId {
            WorktreeId(1)
        }
        fn worktree_root_path(&self) -> &Path {
            &self.root
        }
        fn exists(&self, path: &Path, is_dir: Option<bool>) -> bool {
            false
        }
        fn update_status(&self, language: LanguageServerName, status: BinaryStatus) {}
        fn registered_lsp_adapters(&self) -> Vec<Arc<dyn LspAdapter>> {
            Vec::new()
        }
        async fn language_server_download_dir(
            &self,
            name: &LanguageServerName,
        ) -> Option<Arc<Path>> {
            Some(Arc::from(self.root.join(&name.0)))
        }
        async fn npm_package_installed_version(
            &self,
            package_name: &str,
        ) -> Result<Option<(PathBuf, String)>> {
            Ok(None)
        }
        async fn which(&self, command: &OsStr) -> Option<PathBuf> {
            Some(Path::new("/usr/bin").join(command))
        }
        async fn shell_env(&self) -> HashMap<String, String> {
            HashMap::new()
        }
        async fn read_text_file(&self, path: PathBuf) -> Result<String> {
            Err(format!("{} not found", path.display()))
        }
        async fn try_exec(&self, binary: LanguageServerBinary) -> Result<()> {
            Ok(())
        }
    }

    pub async fn run() {
        let delegate: Arc<dyn SendDynLspAdapterDelegate> = Arc::new(LocalDelegate {
            root: PathBuf::from("/work"),
        });
        assert_eq!(
            delegate.which(OsStr::new("rust-analyzer")).await,
            Some(PathBuf::from("/usr/bin/rust-analyzer"))
        );
        let name = LanguageServerName("rust-analyzer".into());
        let dir = delegate
            .language_server_download_dir_send(&name)
            .await
            .unwrap();
        assert_eq!(&*dir, Path::new("/work/rust-analyzer"));
        assert_eq!(delegate.worktree_root_path_dyn(), Path::new("/work"));
    }
}
