//! Generates the typed GraphQL payload of every event type from the event schemas in
//! `schemas/events/` (themselves generated from the domain and drift-checked), so that the API
//! cannot fall out of step with the events: a new event type or field appears in the API on
//! the next build.
//!
//! Mapping: strings → `String` (dates and instants → `NaiveDate`/`DateTime<Utc>`, ids → `ID`,
//! shown as the global id of the kind their `x-refers-to` names), unsigned
//! integers → `u32`, enums the API mirrors → those GraphQL enums (others → `String`), nested
//! objects → `<Name>Data` objects, internally tagged unions (`oneOf`) → one `<Name>Data` object
//! holding the tag and every variant's fields as optional, `null`-able → `Option`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

use serde_json::Value;

/// Enums the API already mirrors in `enums.rs` (same names, same values).
const MIRRORED_ENUMS: &[&str] = &[
    "OrganizationCategory",
    "NetworkKind",
    "ReferentRole",
    "ProtocolKind",
    "SignatureMethod",
    "MeetingKind",
    "Attendance",
    "ServiceKind",
    "AccessRoute",
    "Frequency",
    "ActivityKind",
];

/// Personal data sealed with its person's key: opened (or shown as erased) for the reader.
const SEALED: &str = "crate::personal::SealedDetails";

struct Generator {
    /// Nested definitions already emitted, by name.
    emitted: BTreeSet<String>,
    out: String,
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    for (i, part) in snake.split('_').enumerate() {
        if i == 0 {
            out.push_str(part);
        } else {
            let mut chars = part.chars();
            if let Some(c) = chars.next() {
                out.extend(c.to_uppercase());
                out.push_str(chars.as_str());
            }
        }
    }
    out
}

/// The kind of thing an id field (or a list of ids) refers to.
fn refers_to(node: &Value) -> Option<&str> {
    node.get("x-refers-to")
        .or_else(|| node.get("items").and_then(|i| i.get("x-refers-to")))
        .and_then(Value::as_str)
}

impl Generator {
    /// The Rust type of a schema node (without the outer `Option` for non-required fields).
    fn ty(&mut self, node: &Value, defs: &serde_json::Map<String, Value>) -> String {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap_or(r);
            return self.named(name, defs);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(options) = node.get(key).and_then(Value::as_array) {
                let non_null: Vec<&Value> = options
                    .iter()
                    .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
                    .collect();
                if non_null.len() == 1 && non_null.len() < options.len() {
                    return format!("Option<{}>", self.ty(non_null[0], defs));
                }
            }
        }
        if let Some(all) = node.get("allOf").and_then(Value::as_array) {
            if all.len() == 1 {
                return self.ty(&all[0], defs);
            }
        }
        let (kind, nullable) = match node.get("type") {
            Some(Value::String(t)) => (t.as_str(), false),
            Some(Value::Array(ts)) => {
                let kinds: Vec<&str> = ts
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|t| *t != "null")
                    .collect();
                (kinds.first().copied().unwrap_or("string"), true)
            }
            _ => ("json", false),
        };
        let base = match kind {
            "string" => match node.get("format").and_then(Value::as_str) {
                // An id: shown as the global id of what it refers to.
                Some("uuid") if node.get("x-refers-to").is_some() => format!(
                    "crate::ids::Ref<aggregates::ids::{}Id>",
                    node["x-refers-to"].as_str().unwrap_or_default()
                ),
                Some("date") => "crate::scalars::Date".to_owned(),
                Some("date-time") => "chrono::DateTime<chrono::Utc>".to_owned(),
                _ => "String".to_owned(),
            },
            "integer" => match node.get("format").and_then(Value::as_str) {
                Some("uint8" | "uint16" | "uint32") => "u32".to_owned(),
                _ => "i64".to_owned(),
            },
            "boolean" => "bool".to_owned(),
            "number" => "f64".to_owned(),
            "array" => format!(
                "Vec<{}>",
                self.ty(node.get("items").unwrap_or(&Value::Null), defs)
            ),
            _ => "crate::scalars::Json".to_owned(),
        };
        if nullable {
            format!("Option<{base}>")
        } else {
            base
        }
    }

    /// The Rust type of a named definition, emitting it on first use.
    fn named(&mut self, name: &str, defs: &serde_json::Map<String, Value>) -> String {
        let Some(def) = defs.get(name) else {
            return "crate::scalars::Json".to_owned();
        };
        if name == "Sealed" {
            return SEALED.to_owned();
        }
        if def.get("enum").is_some() {
            return if MIRRORED_ENUMS.contains(&name) {
                format!("crate::enums::{name}")
            } else {
                "String".to_owned()
            };
        }
        let type_name = format!("{name}Data");
        if def.get("type").and_then(Value::as_str) == Some("object") {
            if self.emitted.insert(name.to_owned()) {
                self.object(&type_name, def, defs, false);
            }
            return type_name;
        }
        if let Some(variants) = def.get("oneOf").and_then(Value::as_array) {
            if self.emitted.insert(name.to_owned()) {
                self.tagged(&type_name, def, variants, defs);
            }
            return type_name;
        }
        // A string newtype (Name, FreeText, hashes, …) or anything else scalar.
        self.ty(def, defs)
    }

    /// A struct with one field per property.
    fn object(
        &mut self,
        type_name: &str,
        def: &Value,
        defs: &serde_json::Map<String, Value>,
        all_optional: bool,
    ) {
        let required: BTreeSet<&str> = def
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let empty = serde_json::Map::new();
        let properties = def
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let mut fields = String::new();
        let mut binds = String::new();
        for (field, node) in properties {
            let mut ty = self.ty(node, defs);
            if ty == SEALED {
                writeln!(binds, "        self.{field}.bind(person);").unwrap();
            } else if ty == format!("Option<{SEALED}>") {
                writeln!(
                    binds,
                    "        if let Some(f) = &mut self.{field} {{ f.bind(person); }}"
                )
                .unwrap();
            }
            let optional = all_optional || !required.contains(field.as_str());
            if optional && !ty.starts_with("Option<") {
                ty = format!("Option<{ty}>");
            }
            let desc = node
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| match refers_to(node) {
                    Some(kind) => format!(
                        "The event's `{}`, as the global id of the {kind} recorded.",
                        camel(field)
                    ),
                    None => format!("The event's `{}`, as recorded.", camel(field)),
                });
            writeln!(fields, "    #[doc = \"{}\"]", escape(&desc)).unwrap();
            if ty.starts_with("Option<") {
                writeln!(
                    fields,
                    "    #[serde(default, skip_serializing_if = \"Option::is_none\")]"
                )
                .unwrap();
            }
            writeln!(fields, "    pub {field}: {ty},").unwrap();
        }
        let desc = def
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("A value recorded in an event.");
        if properties.is_empty() {
            // GraphQL objects need a field: an empty payload says so.
            writeln!(
                fields,
                "    #[doc = \"Always true: this event carries no further data.\"]\n    #[serde(skip, default = \"always\")]\n    pub recorded: bool,"
            )
            .unwrap();
        }
        writeln!(
            self.out,
            "#[doc = \"{}\"]\n#[derive(async_graphql::SimpleObject, serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]\npub struct {type_name} {{\n{fields}}}\n",
            escape(desc)
        )
        .unwrap();
        let person = if binds.is_empty() {
            "_person"
        } else {
            "person"
        };
        writeln!(
            self.out,
            "impl crate::personal::Bind for {type_name} {{\n    fn bind(&mut self, {person}: &str) {{\n{binds}    }}\n}}\n"
        )
        .unwrap();
    }

    /// An internally tagged union as one object: the tag and every variant's fields, optional.
    fn tagged(
        &mut self,
        type_name: &str,
        def: &Value,
        variants: &[Value],
        defs: &serde_json::Map<String, Value>,
    ) {
        let mut properties = serde_json::Map::new();
        let mut tags = BTreeMap::new();
        for variant in variants {
            if let Some(props) = variant.get("properties").and_then(Value::as_object) {
                for (name, node) in props {
                    if node.get("enum").is_some()
                        && node.get("type") == Some(&Value::from("string"))
                    {
                        tags.entry(name.clone())
                            .or_insert_with(Vec::new)
                            .extend(node["enum"].as_array().into_iter().flatten().cloned());
                    } else {
                        properties
                            .entry(name.clone())
                            .or_insert_with(|| node.clone());
                    }
                }
            }
        }
        let mut merged = serde_json::json!({
            "description": def.get("description").cloned().unwrap_or(Value::Null),
            "type": "object",
            "properties": properties,
            "required": tags.keys().cloned().collect::<Vec<_>>(),
        });
        for (tag, values) in tags {
            let values: Vec<String> = values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            merged["properties"][&tag] = serde_json::json!({
                "type": "string",
                "description": format!("Which kind: {}.", values.join(", ")),
            });
        }
        self.object(type_name, &merged, defs, false);
    }
}

fn main() {
    // Read when the script runs, not when it was compiled: a build script compiled for one
    // checkout is reused by another sharing the target directory.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("../schemas/events");
    println!("cargo:rerun-if-changed={}", dir.display());
    // The latest version of every event type.
    let mut latest: BTreeMap<String, (u32, Value)> = BTreeMap::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("schemas/events is readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();
    for path in entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let (name, version) = stem.rsplit_once(".v").expect("<Type>.v<N>.json");
        let version: u32 = version.parse().expect("numeric version");
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).expect("valid JSON");
        if latest.get(name).is_none_or(|(v, _)| *v < version) {
            latest.insert(name.to_owned(), (version, schema));
        }
    }
    let mut generator = Generator {
        emitted: BTreeSet::new(),
        out: String::from(
            "// Generated by graphql/build.rs from schemas/events: do not edit.\n\n#[allow(dead_code)]\nfn always() -> bool {\n    true\n}\n\n",
        ),
    };
    let empty = serde_json::Map::new();
    for (name, (_, schema)) in &latest {
        let defs = schema
            .get("definitions")
            .and_then(Value::as_object)
            .unwrap_or(&empty)
            .clone();
        generator.object(&format!("{name}Payload"), schema, &defs, false);
    }
    let mut list = String::from("history_entries! {\n");
    for (name, (_, schema)) in &latest {
        let desc = schema
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("An event.");
        writeln!(
            list,
            "    {name} => {name}Entry, {name}Payload, \"{}\";",
            escape(desc)
        )
        .unwrap();
    }
    list.push_str("}\n");
    generator.out.push_str(&list);
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("payloads.rs");
    std::fs::write(out, generator.out).unwrap();
}
