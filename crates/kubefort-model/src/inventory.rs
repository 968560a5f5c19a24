use crate::Object;
use rayon::prelude::*;
use std::any::{Any, TypeId};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

/// Every object of a run, indexed by kind, namespace and name.
#[derive(Debug, Default)]
pub struct Inventory {
    objects: Vec<Object>,
    /// Objects by the hash of their kind, namespace and name ([`key_hash`]),
    /// in input order. The hashes are computed in parallel and no key is
    /// copied: a cluster dump has a hundred thousand objects, and this is
    /// built before any rule can start.
    by_key: HashMap<u64, Vec<usize>, BuildHasherDefault<Prehashed>>,
    by_kind: HashMap<String, Vec<usize>>,
    memo: Memo,
}

impl Inventory {
    pub fn new(objects: Vec<Object>) -> Self {
        let hashes: Vec<u64> = objects.par_iter().map(|o| key_hash(&o.kind, o.namespace.as_deref(), &o.name)).collect();
        let mut by_key: HashMap<u64, Vec<usize>, _> = HashMap::default();
        by_key.reserve(objects.len());
        let mut by_kind: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, (o, hash)) in objects.iter().zip(hashes).enumerate() {
            by_key.entry(hash).or_default().push(i);
            match by_kind.get_mut(&o.kind) {
                Some(list) => list.push(i),
                None => {
                    by_kind.insert(o.kind.clone(), vec![i]);
                }
            }
        }
        let mut inventory = Inventory { objects, by_key, by_kind, memo: Memo::default() };
        let owners = crate::controller::template_owners(&inventory);
        for (object, owner) in inventory.objects.iter_mut().zip(owners) {
            object.template_owner = owner;
        }
        inventory
    }
    pub fn objects(&self) -> &[Object] {
        &self.objects
    }
    pub fn len(&self) -> usize {
        self.objects.len()
    }
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
    /// Looks an object up by kind, namespace and name. Manifests often leave
    /// the namespace out, so `None` matches only objects that also have none.
    pub fn get(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Object> {
        self.index_of(kind, namespace, name).map(|i| &self.objects[i])
    }
    /// [`Inventory::get`], as the object's index in [`Inventory::objects`]
    /// (the first such object when the input names one twice).
    pub fn index_of(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<usize> {
        self.by_key.get(&key_hash(kind, namespace, name))?.iter().copied().find(|&i| {
            let o = &self.objects[i];
            o.kind == kind && o.namespace.as_deref() == namespace && o.name == name
        })
    }
    /// The objects of one kind, in input order (indexed: cheap to call per object).
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_kind.get(kind).map_or(&[][..], Vec::as_slice).iter().map(|&i| &self.objects[i])
    }
}

fn key_hash(kind: &str, namespace: Option<&str>, name: &str) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one((kind, namespace, name))
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; anything else folds in byte by byte.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Values computed once per inventory from all its objects (the RBAC graph,
/// a NetworkPolicy index …), shared by every rule that needs them.
#[derive(Default)]
pub(crate) struct Memo(Mutex<HashMap<TypeId, Arc<MemoCell>>>);

type MemoCell = OnceLock<Arc<dyn Any + Send + Sync>>;

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl Inventory {
    /// The value of type `T` for this inventory, computed by `init` on first
    /// use (once, even when rules run in parallel). `init` must not ask for
    /// another memoised value of the same type.
    pub fn memo<T: Any + Send + Sync>(&self, init: impl FnOnce(&Inventory) -> T) -> Arc<T> {
        let cell = self.memo.0.lock().unwrap_or_else(|e| e.into_inner()).entry(TypeId::of::<T>()).or_default().clone();
        let value = cell.get_or_init(|| Arc::new(init(self)) as Arc<dyn Any + Send + Sync>).clone();
        value.downcast::<T>().unwrap_or_else(|_| unreachable!("memo entries are keyed by their type"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_match_kind_namespace_and_name_exactly_and_the_first_of_twins_wins() {
        let object = |kind: &str, namespace: Option<&str>, name: &str, tag: i64| {
            let mut metadata = serde_json::json!({"name": name, "labels": {"tag": tag.to_string()}});
            if let Some(ns) = namespace {
                metadata["namespace"] = serde_json::json!(ns);
            }
            let value = serde_json::json!({"apiVersion": "v1", "kind": kind, "metadata": metadata});
            Object::from_node(crate::Node::from_json(&value, crate::Pos::default()), Default::default(), String::new())
                .unwrap()
        };
        let inventory = Inventory::new(vec![
            object("ConfigMap", Some("a"), "x", 0),
            object("Secret", Some("a"), "x", 1),
            object("ConfigMap", None, "x", 2),
            object("ConfigMap", Some("b"), "x", 3),
            object("ConfigMap", Some("a"), "x", 4),
            object("ConfigMap", Some("a/x"), "", 5),
        ]);
        let tag = |kind, ns, name| {
            inventory.get(kind, ns, name).map(|o| o.labels().unwrap().get("tag").unwrap().as_str().unwrap().to_owned())
        };
        assert_eq!(tag("ConfigMap", Some("a"), "x").as_deref(), Some("0"));
        assert_eq!(tag("Secret", Some("a"), "x").as_deref(), Some("1"));
        assert_eq!(tag("ConfigMap", None, "x").as_deref(), Some("2"));
        assert_eq!(tag("ConfigMap", Some("b"), "x").as_deref(), Some("3"));
        assert_eq!(tag("ConfigMap", Some("a/x"), "").as_deref(), Some("5"));
        assert_eq!(tag("ConfigMap", Some("c"), "x"), None);
        assert_eq!(tag("Secret", None, "x"), None);
        assert_eq!(inventory.of_kind("ConfigMap").count(), 5);
    }

    #[test]
    fn memo_computes_once_per_type() {
        let inventory = Inventory::default();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let count = || {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            inventory.len() + 7
        };
        assert_eq!(*inventory.memo(|_| count()), 7);
        assert_eq!(*inventory.memo(|_| count()), 7);
        assert_eq!(*inventory.memo(|_| "other type"), "other type");
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
