//! The rules a person's action meets before it becomes an event: whose
//! turn it is, what the protocol asks, the answers the protocol would count
//! against the person (said as a refusal instead), and outcomes given as
//! issue -> value.

use super::{Action, Built, Event, MAX_REASON_CHARS, Replayed, RoomError, Settle};
use detente_negotiation::Request;
use serde_json::{Map, Value};

/// Turns an action into the event it stands for, if the room's state
/// allows it now.
pub(super) fn check(
    built: &Built,
    state: &Replayed,
    party: &str,
    action: &Action,
) -> Result<Event, RoomError> {
    if let Settle::Pending { votes, .. } = &state.settle {
        return check_settle(built, votes, party, action);
    }
    if !state.running() {
        return Err(RoomError::Illegal("the room is over".into()));
    }
    let Some(asked) = &state.asked else {
        return Err(RoomError::Illegal("the room is over".into()));
    };
    let turn = built.seat_name(asked.actor());
    if turn != party {
        return Err(RoomError::Illegal(format!(
            "it is not your turn: waiting for `{turn}`"
        )));
    }
    check_turn(&built.scenario, asked, party, action)
}

/// A vote's reason, trimmed, within [`MAX_REASON_CHARS`].
fn reason_of(r: &str) -> Result<String, RoomError> {
    if r.chars().count() > MAX_REASON_CHARS {
        return Err(RoomError::BadRequest(format!(
            "a reason has at most {MAX_REASON_CHARS} characters"
        )));
    }
    Ok(r.trim().to_string())
}

/// After agreement, while the better deal awaits the people's answers.
fn check_settle(
    built: &Built,
    votes: &[Option<bool>],
    party: &str,
    action: &Action,
) -> Result<Event, RoomError> {
    let party_s = party.to_string();
    let p = built.scenario.party_id(party);
    let Some(pos) = built.humans.iter().position(|&h| Some(h) == p) else {
        return Err(RoomError::Illegal(
            "the agreement is reached: the parties are answering the proposed better deal".into(),
        ));
    };
    if votes[pos].is_some() {
        return Err(RoomError::Illegal(
            "you have answered the proposed deal; waiting for the others".into(),
        ));
    }
    let (accept, reason) = match action {
        Action::Accept => (true, String::new()),
        Action::Reject => (false, String::new()),
        Action::Vote { accept, reason } => (*accept, reason_of(reason)?),
        _ => {
            return Err(RoomError::Illegal(
                "the agreement is reached: accept or reject the proposed better deal".into(),
            ));
        }
    };
    Ok(Event::Settle {
        party: party_s,
        accept,
        reason,
    })
}

/// The action of the party whose turn it is, against what it is asked.
fn check_turn(
    s: &detente_core::Scenario,
    asked: &Request,
    party: &str,
    action: &Action,
) -> Result<Event, RoomError> {
    let party_s = party.to_string();
    match (asked, action) {
        (Request::Propose { text, .. }, _) => check_draft(s, text, party_s, action),
        (_, Action::Propose { .. } | Action::Close) => Err(RoomError::Illegal(
            "only the mediator proposes texts and closes the talks".into(),
        )),
        (Request::Act { .. }, Action::Offer { outcome }) => Ok(Event::Offer {
            party: party_s,
            outcome: parse_outcome(s, outcome)?,
        }),
        (Request::Act { standing, party }, Action::Accept) => match standing {
            None => Err(RoomError::Illegal(
                "there is no offer to accept yet: make the first offer".into(),
            )),
            // The protocol's rationality guard would turn such an accept
            // into an offer of one's best outcome: say so instead.
            Some(o) if !s.red_lines_crossed(*party, &o.outcome).is_empty() => {
                Err(RoomError::Illegal(
                    "the offer on the table crosses one of your red lines: you cannot accept it"
                        .into(),
                ))
            }
            Some(o) if s.utility_of(*party, &o.outcome) < s.reservation(*party) => {
                Err(RoomError::Illegal(
                    "the offer on the table is worth less to you than your reservation value: you cannot accept it".into(),
                ))
            }
            Some(_) => Ok(Event::Accept { party: party_s }),
        },
        (Request::Act { .. }, Action::End) => Ok(Event::End { party: party_s }),
        (Request::Act { .. }, Action::Reject) => Err(RoomError::Illegal(
            "to reject the offer on the table, make a counter-offer (or end)".into(),
        )),
        (Request::Act { .. }, Action::Vote { .. }) => Err(RoomError::Illegal(
            "there is nothing to vote on: offer, accept or end".into(),
        )),
        (
            Request::FinalVote { text, party },
            Action::Vote { accept: true, .. } | Action::Accept,
        ) if !(s.red_lines_crossed(*party, text).is_empty()
            && s.utility_of(*party, text) >= s.reservation(*party)) =>
        {
            // The protocol would count this yes as a no.
            Err(RoomError::Illegal(
                "the final text crosses one of your red lines or is worth less to you than your reservation value: you cannot accept it".into(),
            ))
        }
        (Request::Vote { .. } | Request::FinalVote { .. }, Action::Vote { accept, reason }) => {
            Ok(Event::Vote {
                party: party_s,
                accept: *accept,
                reason: reason_of(reason)?,
            })
        }
        (Request::Vote { .. } | Request::FinalVote { .. }, Action::Accept | Action::Reject) => {
            Ok(Event::Vote {
                party: party_s,
                accept: matches!(action, Action::Accept),
                reason: String::new(),
            })
        }
        (Request::Vote { .. }, _) => Err(RoomError::Illegal(
            "the mediator asks for a vote on its proposal: vote for or against".into(),
        )),
        (Request::FinalVote { .. }, _) => Err(RoomError::Illegal(
            "the mediator asks whether you accept the final text: vote for or against".into(),
        )),
    }
}

/// The mediator's turn: a revision of the text, or closing the talks.
fn check_draft(
    s: &detente_core::Scenario,
    text: &[u32],
    party: String,
    action: &Action,
) -> Result<Event, RoomError> {
    match action {
        Action::Propose { outcome } => {
            let outcome = parse_outcome(s, outcome)?;
            if outcome == text {
                return Err(RoomError::Illegal(
                    "that is the text as it stands: change at least one issue".into(),
                ));
            }
            Ok(Event::Propose { party, outcome })
        }
        Action::Close => Ok(Event::Close { party }),
        _ => Err(RoomError::Illegal(
            "you chair the talks: propose a revision of the text ({\"type\": \"propose\", \"outcome\": {...}}) or close them ({\"type\": \"close\"})".into(),
        )),
    }
}

/// An outcome given as issue → value into value indices: every issue
/// once, every value one of its issue's.
fn parse_outcome(
    s: &detente_core::Scenario,
    given: &Map<String, Value>,
) -> Result<Vec<u32>, RoomError> {
    let mut out = Vec::with_capacity(s.issues().len());
    for issue in s.issues() {
        let v = given.get(&issue.name).ok_or_else(|| {
            RoomError::Illegal(format!("the outcome gives no value for `{}`", issue.name))
        })?;
        let text = match v {
            Value::String(t) => t.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        out.push(issue.parse_value(&text).ok_or_else(|| {
            RoomError::Illegal(format!("`{text}` is not a value of `{}`", issue.name))
        })?);
    }
    if let Some(extra) = given.keys().find(|k| s.issue_id(k).is_none()) {
        return Err(RoomError::Illegal(format!(
            "the scenario has no issue `{extra}`"
        )));
    }
    Ok(out)
}
