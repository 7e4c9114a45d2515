//! `Adapter`: casbin/casbin-rs, `src/adapter/mod.rs`.
//! Used through `dyn`: yes, `Box<dyn Adapter>` in `Enforcer`.
//! Shape: `&mut self` async methods taking `&mut dyn Model`; a method lifetime `'a` on a by-value
//! `Filter<'a>`; owned `Vec<Vec<String>>` arguments.

pub type Result<T> = std::result::Result<T, String>;
pub trait Model: Send + Sync {
    fn add_policy(&mut self, sec: &str, ptype: &str, rule: Vec<String>) -> bool;
}
#[derive(Default)]
pub struct DefaultModel {
    pub rules: Vec<Vec<String>>,
}
impl Model for DefaultModel {
    fn add_policy(&mut self, sec: &str, ptype: &str, rule: Vec<String>) -> bool {
        self.rules.push(rule);
        true
    }
}
#[derive(Debug, Clone, Copy)]
pub struct Filter<'a> {
    pub p: &'a [&'a str],
    pub g: &'a [&'a str],
}
#[derive(Default)]
pub struct MemoryAdapter {
    pub policy: Vec<Vec<String>>,
    pub is_filtered: bool,
}

/// The trait under `#[async_trait]`, as the project declares it, and an impl.
pub mod control {
    use super::*;

    // casbin/casbin-rs, `src/adapter/mod.rs`.
    #[async_trait::async_trait]
    pub trait Adapter: Send + Sync {
        async fn load_policy(&mut self, m: &mut dyn Model) -> Result<()>;
        async fn load_filtered_policy<'a>(
            &mut self,
            m: &mut dyn Model,
            f: Filter<'a>,
        ) -> Result<()>;
        async fn save_policy(&mut self, m: &mut dyn Model) -> Result<()>;
        async fn clear_policy(&mut self) -> Result<()>;
        fn is_filtered(&self) -> bool;
        async fn add_policy(&mut self, sec: &str, ptype: &str, rule: Vec<String>) -> Result<bool>;
        async fn add_policies(
            &mut self,
            sec: &str,
            ptype: &str,
            rules: Vec<Vec<String>>,
        ) -> Result<bool>;
        async fn remove_policy(
            &mut self,
            sec: &str,
            ptype: &str,
            rule: Vec<String>,
        ) -> Result<bool>;
        async fn remove_policies(
            &mut self,
            sec: &str,
            ptype: &str,
            rules: Vec<Vec<String>>,
        ) -> Result<bool>;
        async fn remove_filtered_policy(
            &mut self,
            sec: &str,
            ptype: &str,
            field_index: usize,
            field_values: Vec<String>,
        ) -> Result<bool>;
    }

    #[async_trait::async_trait]
    impl Adapter for MemoryAdapter {
        async fn load_policy(&mut self, m: &mut dyn Model) -> Result<()> {
            for rule in &self.policy {
                m.add_policy("p", "p", rule.clone());
            }
            Ok(())
        }
        async fn load_filtered_policy<'a>(
            &mut self,
            m: &mut dyn Model,
            f: Filter<'a>,
        ) -> Result<()> {
            self.is_filtered = true;
            self.load_policy(m).await
        }
        async fn save_policy(&mut self, m: &mut dyn Model) -> Result<()> {
            Ok(())
        }
        async fn clear_policy(&mut self) -> Result<()> {
            self.policy.clear();
            Ok(())
        }
        fn is_filtered(&self) -> bool {
            self.is_filtered
        }
        async fn add_policy(&mut self, sec: &str, ptype: &str, rule: Vec<String>) -> Result<bool> {
            self.policy.push(rule);
            Ok(true)
        }
        async fn add_policies(
            &mut self,
            sec: &str,
            ptype: &str,
            rules: Vec<Vec<String>>,
        ) -> Result<bool> {
            self.policy.extend(rules);
            Ok(true)
        }
        async fn remove_policy(
            &mut self,
            sec: &str,
            ptype: &str,
            rule: Vec<String>,
        ) -> Result<bool> {
            Ok(false)
        }
        async fn remove_policies(
            &mut self,
            sec: &str,
            ptype: &str,
            rules: Vec<Vec<String>>,
        ) -> Result<bool> {
            Ok(false)
        }
        async fn remove_filtered_policy(
            &mut self,
            sec: &str,
            ptype: &str,
            field_index: usize,
            field_values: Vec<String>,
        ) -> Result<bool> {
            Ok(false)
        }
    }
}

/// The README's one-line change: the same trait under `#[dyn_twin]`, the
/// impl without an attribute, and one call through the `Send` twin.
pub mod migrated {
    use super::*;

    // casbin/casbin-rs, `src/adapter/mod.rs`.
    #[hybrid_dispatch::dyn_twin(DynAdapter, send = SendDynAdapter)]
    pub trait Adapter: Send + Sync {
        async fn load_policy(&mut self, m: &mut dyn Model) -> Result<()>;
        async fn load_filtered_policy<'a>(
            &mut self,
            m: &mut dyn Model,
            f: Filter<'a>,
        ) -> Result<()>;
        async fn save_policy(&mut self, m: &mut dyn Model) -> Result<()>;
        async fn clear_policy(&mut self) -> Result<()>;
        fn is_filtered(&self) -> bool;
        async fn add_policy(&mut self, sec: &str, ptype: &str, rule: Vec<String>) -> Result<bool>;
        async fn add_policies(
            &mut self,
            sec: &str,
            ptype: &str,
            rules: Vec<Vec<String>>,
        ) -> Result<bool>;
        async fn remove_policy(
            &mut self,
            sec: &str,
            ptype: &str,
            rule: Vec<String>,
        ) -> Result<bool>;
        async fn remove_policies(
            &mut self,
            sec: &str,
            ptype: &str,
            rules: Vec<Vec<String>>,
        ) -> Result<bool>;
        async fn remove_filtered_policy(
            &mut self,
            sec: &str,
            ptype: &str,
            field_index: usize,
            field_values: Vec<String>,
        ) -> Result<bool>;
    }

    impl Adapter for MemoryAdapter {
        async fn load_policy(&mut self, m: &mut dyn Model) -> Result<()> {
            for rule in &self.policy {
                m.add_policy("p", "p", rule.clone());
            }
            Ok(())
        }
        async fn load_filtered_policy<'a>(
            &mut self,
            m: &mut dyn Model,
            f: Filter<'a>,
        ) -> Result<()> {
            self.is_filtered = true;
            self.load_policy(m).await
        }
        async fn save_policy(&mut self, m: &mut dyn Model) -> Result<()> {
            Ok(())
        }
        async fn clear_policy(&mut self) -> Result<()> {
            self.policy.clear();
            Ok(())
        }
        fn is_filtered(&self) -> bool {
            self.is_filtered
        }
        async fn add_policy(&mut self, sec: &str, ptype: &str, rule: Vec<String>) -> Result<bool> {
            self.policy.push(rule);
            Ok(true)
        }
        async fn add_policies(
            &mut self,
            sec: &str,
            ptype: &str,
            rules: Vec<Vec<String>>,
        ) -> Result<bool> {
            self.policy.extend(rules);
            Ok(true)
        }
        async fn remove_policy(
            &mut self,
            sec: &str,
            ptype: &str,
            rule: Vec<String>,
        ) -> Result<bool> {
            Ok(false)
        }
        async fn remove_policies(
            &mut self,
            sec: &str,
            ptype: &str,
            rules: Vec<Vec<String>>,
        ) -> Result<bool> {
            Ok(false)
        }
        async fn remove_filtered_policy(
            &mut self,
            sec: &str,
            ptype: &str,
            field_index: usize,
            field_values: Vec<String>,
        ) -> Result<bool> {
            Ok(false)
        }
    }

    pub async fn run() {
        let mut adapter: Box<dyn SendDynAdapter> = Box::new(MemoryAdapter::default());
        adapter
            .add_policy(
                "p",
                "p",
                vec!["alice".into(), "data1".into(), "read".into()],
            )
            .await
            .unwrap();
        let mut model = DefaultModel::default();
        adapter
            .load_filtered_policy(
                &mut model,
                Filter {
                    p: &["alice"],
                    g: &[],
                },
            )
            .await
            .unwrap();
        assert_eq!(model.rules.len(), 1);
        assert!(adapter.is_filtered_dyn());
    }
}
