//! Time that passes faster: "a year passes" between the students' rounds.
//!
//! The regime's effect takes longer than a class can play: under the optimized regime the
//! mean belief first falls (cases reviewed under the old rules are decided after the switch,
//! and leaders' engagement recovers slowly) and initiative hardly moves for about ten
//! quarters (docs/classroom.md, "The session"). So the trainer can let quarters pass in
//! which nobody answers: each is one step of the same world, in which the students' seats
//! are played by the model's own decision rule, with the cadre's own loss aversion and
//! belief, as every model cadre's.
//!
//! Why the model's rule, not each student's fitted rule: a student answers a handful of
//! cards (5–10 in a session), far too few to fit two parameters per person; the class's
//! pooled fit is shown in the debrief, but playing the seats by the model's rule keeps a
//! passed quarter exactly a step of the model, so what the class sees after passing time is
//! the model's prediction for its world, not a fit's. The students' cards before and after
//! are unchanged: their cadres keep their careers, cases and beliefs.
//!
//! A passed quarter is recorded in the game's history as a quarter without seat choices,
//! so a regime switch's replay, and a resumed class, step through it again exactly
//! (`Game::pass(n)` is the one event to record: the same world before it and the same `n`
//! give the same world after it).

use super::game::{Game, GameError, MAX_ROUNDS, Outcome, Phase};

/// The most quarters one "time passes" moves the world on (ten years).
pub const MAX_PASS: u32 = 40;
/// What the trainer's button passes by default: a year.
pub const YEAR: u32 = 4;

impl Game {
    /// Lets `quarters` quarters pass (at most to [`MAX_ROUNDS`]), the model playing every
    /// seat; returns how many passed. Refused while a round is open and once the game is
    /// over; `quarters` must lie in 1..=[`MAX_PASS`].
    pub fn pass(&mut self, quarters: u32) -> Result<u32, GameError> {
        match self.phase {
            Phase::Open => return Err(GameError::RoundOpen),
            Phase::Over => return Err(GameError::Over),
            _ => {}
        }
        if !(1..=MAX_PASS).contains(&quarters) {
            return Err(GameError::BadQuarters(quarters));
        }
        let careers: Vec<f64> = self
            .seats
            .iter()
            .map(|s| self.world().cadres()[s.cadre as usize].career)
            .collect();
        let n = quarters.min(MAX_ROUNDS - self.round());
        for _ in 0..n {
            for seat in &mut self.seats {
                seat.card = None;
                seat.answer = None;
            }
            self.step_quarter(Vec::new(), true);
        }
        // Each phone shows what the passed time did to its seat: the change in career.
        let last = self.round() - 1;
        for (i, career_before) in careers.into_iter().enumerate() {
            let cadre = self.seats[i].cadre as usize;
            let c = &self.world().cadres()[cadre];
            let (career, blocked) = (c.career, c.blocked_until);
            let until = (blocked > last + 1).then_some(blocked);
            self.seats[i].outcome = Some(Outcome {
                round: last,
                events: vec!["time_passed"],
                career_before,
                career,
                decided_at: None,
                until,
            });
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::super::game::{Card, CardKind};
    use super::*;

    fn students(g: &mut Game, n: usize) {
        for k in 0..n {
            g.join(&format!("s{k}")).unwrap();
        }
    }

    /// Plays one round where every seat with an opportunity answers by `choose`.
    fn play(g: &mut Game, choose: impl Fn(&Card) -> bool) {
        g.open_round().unwrap();
        let t = g.round();
        for i in 0..g.seats.len() {
            if let Some(card) = g.seats[i].card.clone()
                && card.kind == CardKind::Opportunity
            {
                g.answer(i, t, choose(&card)).unwrap();
            }
        }
        g.close_round().unwrap();
    }

    fn state(g: &Game) -> Vec<(f64, f64, u32)> {
        g.world()
            .cadres()
            .iter()
            .map(|c| (c.career, c.belief(), c.blocked_until))
            .collect()
    }

    /// Passed quarters are steps of the same world: played and passed quarters in any order
    /// replay to the same world (a regime switch rebuilds it from the record), and the same
    /// record played twice gives the same world, quarter for quarter.
    #[test]
    fn passed_quarters_replay_from_the_record() {
        let session = |g: &mut Game| {
            students(g, 30);
            for _ in 0..3 {
                play(g, |c| c.p_success.unwrap_or(0.0) > 0.5);
            }
            g.pass(YEAR).unwrap();
            play(g, |_| true);
            g.switch_regime("optimized_path").unwrap();
            play(g, |c| c.p_success.unwrap_or(0.0) > 0.4);
            g.pass(6).unwrap();
            play(g, |_| false);
        };
        let mut a = Game::new("strict_accountability", 11).unwrap();
        let mut b = Game::new("strict_accountability", 11).unwrap();
        session(&mut a);
        session(&mut b);
        assert_eq!(a.round(), 3 + 4 + 1 + 1 + 6 + 1);
        assert_eq!(state(&a), state(&b));
        let passed: Vec<bool> = a.rounds.iter().map(|r| r.passed).collect();
        assert_eq!(passed.iter().filter(|&&p| p).count(), 10);
        assert!(!passed[2] && passed[3] && passed[6] && !passed[7]);
        // Replaying the record (a switch rebuilds the world from seed, timeline and every
        // quarter's choices) lands on the world the class is in.
        let before = state(&a);
        a.switch_regime("optimized_path").unwrap();
        assert_eq!(state(&a), before);
        // In passed quarters the model played the students' seats: no student choices, but
        // the world's opportunities include theirs (all 1000 cadres acted).
        for r in a.rounds.iter().filter(|r| r.passed) {
            assert_eq!(r.students.opportunities, 0);
            assert!(r.bots.opportunities > 200, "{}", r.bots.opportunities);
        }
        // After a played round, the phones show that round's outcome again.
        let o = a.seats[0].outcome.as_ref().unwrap();
        assert_eq!(o.round, a.round() - 1);
        assert!(!o.events.contains(&"time_passed"));
    }

    #[test]
    fn passing_time_is_refused_while_a_round_is_open_and_bounded() {
        let mut g = Game::new("strict_accountability", 2).unwrap();
        students(&mut g, 5);
        assert_eq!(g.pass(0), Err(GameError::BadQuarters(0)));
        assert_eq!(
            g.pass(MAX_PASS + 1),
            Err(GameError::BadQuarters(MAX_PASS + 1))
        );
        g.open_round().unwrap();
        assert_eq!(g.pass(4), Err(GameError::RoundOpen));
        g.close_round().unwrap();
        assert_eq!(g.pass(4), Ok(4));
        assert_eq!(g.round(), 5);
        let o = g.seats[0].outcome.as_ref().unwrap();
        assert_eq!(o.events, vec!["time_passed"]);
        assert_eq!(o.round, 4);
        // The next round's cards come from the world as it is after the passed quarters.
        g.open_round().unwrap();
        assert_eq!(g.seats[0].card.as_ref().unwrap().round, 5);
        g.close_round().unwrap();
        while g.round() + MAX_PASS <= MAX_ROUNDS {
            g.pass(MAX_PASS).unwrap();
        }
        let left = MAX_ROUNDS - g.round();
        assert_eq!(g.pass(MAX_PASS), Ok(left));
        assert_eq!(g.phase, Phase::Over);
        assert_eq!(g.pass(1), Err(GameError::Over));
    }
}
