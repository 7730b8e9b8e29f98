//! Generated codenames: two words from short, neutral lists (about 10,000 combinations, with
//! retries on collision). Words were picked to say nothing about a person, place or motive, so
//! a codename cannot hint at who the source is.

use humint_core::Entropy;

const FIRST: &[&str] = &[
    "AMBER", "ARCTIC", "ASHEN", "AZURE", "BRASS", "BRIGHT", "BRONZE", "CALM", "CEDAR", "CINDER",
    "CLEAR", "COBALT", "COPPER", "CORAL", "CRIMSON", "CRYSTAL", "DAWN", "DEEP", "DUSK", "DUSTY",
    "EARLY", "EMBER", "EVEN", "FAINT", "FALLOW", "FERN", "FLINT", "FROST", "GILDED", "GLASS",
    "GOLDEN", "GRANITE", "GREY", "HAZEL", "HIGH", "HOLLOW", "IRON", "IVORY", "JADE", "LATE",
    "LEVEL", "LINEN", "LONG", "LOW", "LUNAR", "MAPLE", "MARBLE", "MILD", "MISTY", "NORTH", "OAKEN",
    "OCHRE", "OPAL", "PALE", "PEARL", "PLAIN", "POLAR", "QUIET", "RAPID", "RED", "RIVER", "ROUND",
    "RUSTY", "SABLE", "SALT", "SCARLET", "SILENT", "SILVER", "SLATE", "SOFT", "SOLAR", "SOUTH",
    "STEADY", "STEEL", "STILL", "STONE", "STORM", "SUMMER", "SWIFT", "TALL", "TAWNY", "TIDAL",
    "TIN", "UPPER", "VELVET", "VIOLET", "WARM", "WEST", "WHITE", "WILD", "WINTER", "WOODEN",
    "YELLOW", "ZINC", "EAST", "OUTER", "INNER", "THIRD", "SECOND", "FIRST",
];

const SECOND: &[&str] = &[
    "ANCHOR", "ARROW", "BADGER", "BASIN", "BEACON", "BELL", "BIRCH", "BRIDGE", "BROOK", "CANAL",
    "CASTLE", "CHAPEL", "CLOVER", "COMET", "COMPASS", "CRANE", "CREEK", "CROWN", "DELTA", "DOVE",
    "EAGLE", "ELM", "FALCON", "FERRY", "FIELD", "FINCH", "FORGE", "FOX", "GABLE", "GATE", "GLADE",
    "HARBOUR", "HARE", "HARVEST", "HAWK", "HERON", "HILL", "HOLLY", "ISLAND", "IVY", "JETTY",
    "KESTREL", "KEY", "LANTERN", "LARK", "LEDGER", "LINNET", "MEADOW", "MILL", "MOOR", "OAK",
    "ORCHARD", "OTTER", "OWL", "PARROT", "PIER", "PINE", "PLOVER", "QUARRY", "RAVEN", "REED",
    "RIDGE", "ROBIN", "ROWAN", "SAIL", "SPARROW", "SPIRE", "SPRING", "STAG", "STAR", "STREAM",
    "SWALLOW", "SWAN", "THISTLE", "THRUSH", "TOWER", "VALLEY", "VANE", "WALNUT", "WELL", "WHARF",
    "WILLOW", "WREN", "YEW", "BASALT", "CAIRN", "DRUM", "FLARE", "GARNET", "HELM", "KITE", "LOCH",
    "MARSH", "NEEDLE", "PEBBLE", "QUILL", "RUDDER", "SHALE", "TIMBER", "WEIR",
];

fn pick<'a>(entropy: &dyn Entropy, words: &[&'a str]) -> &'a str {
    let i = usize::try_from(entropy.below(words.len() as u64)).unwrap_or(0);
    words.get(i).copied().unwrap_or("UNNAMED")
}

/// A codename; after a few collisions a number is added, so a large station still finds one.
pub(crate) fn generate(entropy: &dyn Entropy, attempt: u32) -> String {
    let words = format!("{} {}", pick(entropy, FIRST), pick(entropy, SECOND));
    if attempt < 3 {
        words
    } else {
        format!("{words} {}", entropy.below(1000))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use humint_core::SeededEntropy;

    #[test]
    fn codenames_are_two_words_and_vary() {
        let e = SeededEntropy::new(1);
        let names: std::collections::BTreeSet<String> = (0..50).map(|_| generate(&e, 0)).collect();
        assert!(names.len() > 40);
        assert!(names.iter().all(|n| n.split(' ').count() == 2));
    }
}
