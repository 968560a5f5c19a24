use crate::Object;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Every object of a run, indexed by kind, namespace and name.
#[derive(Debug, Default)]
pub struct Inventory {
    objects: Vec<Object>,
    by_key: HashMap<(String, Option<String>, String), usize>,
    by_kind: HashMap<String, Vec<usize>>,
    memo: Memo,
}

impl Inventory {
    pub fn new(objects: Vec<Object>) -> Self {
        let mut by_key = HashMap::with_capacity(objects.len());
        let mut by_kind: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            by_key.entry((o.kind.clone(), o.namespace.clone(), o.name.clone())).or_insert(i);
            by_kind.entry(o.kind.clone()).or_default().push(i);
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
    /// [`Inventory::get`], as the object's index in [`Inventory::objects`].
    pub fn index_of(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<usize> {
        self.by_key.get(&(kind.to_owned(), namespace.map(str::to_owned), name.to_owned())).copied()
    }
    /// The objects of one kind, in input order (indexed: cheap to call per object).
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_kind.get(kind).map_or(&[][..], Vec::as_slice).iter().map(|&i| &self.objects[i])
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
