//! What a run is asked to do, checked before anything starts: the scenarios (with
//! a reason for each one skipped) and the node names.

use super::CoordinatorError;
use crate::agent::Scenario;
use crate::preset::Preset;
use o2check_cluster::Node;

/// The scenarios to run, each with a reason when it is skipped.
pub fn select(
    names: &[String],
    preset: &Preset,
) -> Result<Vec<(Scenario, Option<String>)>, CoordinatorError> {
    if names.iter().any(|n| n == "all") {
        if names.len() > 1 {
            return Err(CoordinatorError::AllWithNames);
        }
        return Ok(Scenario::ALL
            .iter()
            .map(|sc| (*sc, (sc.def().left_out_of_all)(preset).map(String::from)))
            .collect());
    }
    let mut plan: Vec<(Scenario, Option<String>)> = Vec::new();
    for n in names {
        let sc = Scenario::parse(n).ok_or_else(|| {
            let known: Vec<&str> = Scenario::ALL.iter().map(|s| s.id()).collect();
            CoordinatorError::UnknownScenario {
                name: n.clone(),
                known: known.join(", "),
            }
        })?;
        if !plan.iter().any(|(s, _)| *s == sc) {
            plan.push((sc, None));
        }
    }
    Ok(plan)
}

/// Node names become file names in the shared directory.
pub fn check_names(nodes: Vec<Node>) -> Result<Vec<Node>, CoordinatorError> {
    if nodes.is_empty() {
        return Err(CoordinatorError::NoNodes);
    }
    for (i, n) in nodes.iter().enumerate() {
        if n.name.is_empty()
            || !n
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err(CoordinatorError::NodeName(n.name.clone()));
        }
        if nodes[..i].iter().any(|m| m.name == n.name) {
            return Err(CoordinatorError::NodeTwice(n.name.clone()));
        }
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_leaves_out_plain_append_unless_loss_is_expected() {
        let mut preset = Preset::default();
        let plan = select(&["all".into()], &preset).unwrap();
        assert_eq!(plan.len(), Scenario::ALL.len());
        let (sc, skip) = &plan[0];
        assert_eq!(*sc, Scenario::CONCURRENT_APPEND);
        assert!(skip.as_deref().unwrap().contains("expect_loss"));
        assert!(plan[1..].iter().all(|(_, s)| s.is_none()));
        preset.concurrent_append.expect_loss = true;
        assert!(select(&["all".into()], &preset)
            .unwrap()
            .iter()
            .all(|(_, s)| s.is_none()));
        let named = select(&["tail-follow".into(), "tail-follow".into()], &preset).unwrap();
        assert_eq!(named, vec![(Scenario::TAIL_FOLLOW, None)]);
        assert!(select(&["nope".into()], &preset)
            .unwrap_err()
            .to_string()
            .contains("known:"));
        assert!(select(&["all".into(), "tail-follow".into()], &preset).is_err());
    }

    #[test]
    fn node_names_must_be_plain_and_unique() {
        assert!(check_names(vec![Node::named("n1"), Node::named("n2.x-y_z")]).is_ok());
        assert!(check_names(vec![Node::named("a/b")]).is_err());
        assert!(check_names(vec![Node::named("n1"), Node::named("n1")]).is_err());
        assert!(check_names(Vec::new()).is_err());
    }
}
