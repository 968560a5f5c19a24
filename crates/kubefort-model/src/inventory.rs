use crate::Object;
use std::collections::HashMap;

/// Every object of a run, indexed by kind, namespace and name.
#[derive(Debug, Default)]
pub struct Inventory {
    objects: Vec<Object>,
    by_key: HashMap<(String, Option<String>, String), usize>,
    by_kind: HashMap<String, Vec<usize>>,
}

impl Inventory {
    pub fn new(objects: Vec<Object>) -> Self {
        let mut by_key = HashMap::with_capacity(objects.len());
        let mut by_kind: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            by_key.entry((o.kind.clone(), o.namespace.clone(), o.name.clone())).or_insert(i);
            by_kind.entry(o.kind.clone()).or_default().push(i);
        }
        Inventory { objects, by_key, by_kind }
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
        self.by_key.get(&(kind.to_owned(), namespace.map(str::to_owned), name.to_owned())).map(|&i| &self.objects[i])
    }
    /// The objects of one kind, in input order (indexed: cheap to call per object).
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_kind.get(kind).map_or(&[][..], Vec::as_slice).iter().map(|&i| &self.objects[i])
    }
}
