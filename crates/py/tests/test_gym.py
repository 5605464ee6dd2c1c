"""detente.gym: the Gymnasium environment and the multi-agent wrapper."""

import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium")

import detente  # noqa: E402
from detente.gym import NegotiationEnv, NegotiationParallelEnv  # noqa: E402
from gymnasium.utils.env_checker import check_env  # noqa: E402

STATS = ("agreement", "utilities", "end_reason", "end_detail", "rounds", "time", "welfare",
         "pareto_distance", "nash_distance", "beats_reservations", "seed", "protocol")


@pytest.fixture(scope="module")
def car_sale():
    return detente.load("car-sale")


def test_passes_gymnasiums_checker(car_sale):
    env = NegotiationEnv(car_sale, opponents="boulware", seed=0)
    check_env(env, skip_render_check=True)
    check_env(NegotiationEnv(car_sale, opponents="conceder", protocol="stacked", rounds=20))
    check_env(NegotiationEnv(car_sale, observation="dict", render_mode="ansi"))
    made = gymnasium.make("detente/Negotiation-v0", scenario="car-sale", opponents="linear")
    check_env(made.unwrapped)


def has_offer(obs):
    return obs["has_offer"] if isinstance(obs, dict) else obs[1]


def utility(obs):
    return obs["utility"][0] if isinstance(obs, dict) else obs[2]


def play(env, seed, steps=10_000):
    """Random legal-looking play from a seeded action space; every
    observation, reward and info in order."""
    env.action_space.seed(seed)
    obs, info = env.reset(seed=seed)
    seen = [(obs, info)]
    for _ in range(steps):
        a = env.action_space.sample()
        a[0] = 0 if a[0] != 1 or not has_offer(obs) else 1
        obs, reward, terminated, truncated, info = env.step(a)
        seen.append((obs, reward, terminated, truncated, info))
        if terminated or truncated:
            break
    return seen


def same(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def test_the_same_seeds_give_the_same_episodes(car_sale):
    for observation in ("flat", "dict"):
        a = play(NegotiationEnv(car_sale, rounds=30, observation=observation), seed=3)
        b = play(NegotiationEnv(car_sale, rounds=30, observation=observation), seed=3)
        assert same(a, b)
        assert a[-1][2] is True  # terminated
    # reset() without a seed draws the next session's seed from the
    # environment's generator: reproducible from the constructor's seed.
    e1, e2 = NegotiationEnv(car_sale, seed=7), NegotiationEnv(car_sale, seed=7)
    seeds1 = [e1.reset()[1]["seed"] for _ in range(3)]
    seeds2 = [e2.reset()[1]["seed"] for _ in range(3)]
    assert seeds1 == seeds2 and seeds1[0] == 7 and len(set(seeds1)) == 3


def test_an_episode_against_boulware_reaches_agreement_when_the_learner_accepts(car_sale):
    env = NegotiationEnv(car_sale, opponents="boulware", rounds=50)
    obs, _ = env.reset(seed=1)
    total, done, steps = 0.0, False, 0
    while not done:
        action = env.accept_action() if has_offer(obs) else env.best_offer_action()
        obs, reward, done, truncated, info = env.step(action)
        total += reward
        steps += 1
    assert info["end_reason"] == "agreement"
    assert info["agreement"] is not None
    assert total == pytest.approx(info["utilities"][env.party])
    assert env.observation_space.contains(obs)


def test_illegal_actions_end_the_episode_as_the_learners_recorded_failure(car_sale):
    env = NegotiationEnv(car_sale, opponents="boulware", failure_penalty=1.0)
    obs, _ = env.reset(seed=0)
    assert has_offer(obs) == 0  # the learner opens: nothing to accept
    _, reward, done, _, info = env.step(env.accept_action())
    assert done and info["end_reason"] == "failure"
    assert info["end_detail"]["party"] == env.party_name
    assert info["end_detail"]["kind"] == "illegal-action"
    assert reward == pytest.approx(info["utilities"][env.party] - 1.0)
    env.reset(seed=0)
    radices = env.action_space.nvec[1:]
    outside = np.array([0, radices[0], *np.zeros(len(radices) - 1, dtype=np.int64)])
    _, _, done, _, info = env.step(outside)
    assert done and info["end_reason"] == "failure"
    assert "not an outcome of the scenario" in info["end_detail"]["message"]
    with pytest.raises(RuntimeError):
        env.step(env.end_action())
    env.reset(seed=0)
    with pytest.raises(ValueError):
        env.step(np.array([5, *np.zeros(len(radices), dtype=np.int64)]))


class Script(detente.Agent):
    """Accepts an offer worth at least `target` to it, else offers its best."""

    target = 0.6

    def respond(self, state, offer):
        return detente.ACCEPT if self.utility(offer) >= self.target else detente.REJECT

    def propose(self, state):
        return self.best_outcome()


def scripted_episode(env, seed, target=Script.target):
    obs, _ = env.reset(seed=seed)
    while True:
        if has_offer(obs) and utility(obs) >= np.float32(target):
            action = env.accept_action()
        else:
            action = env.best_offer_action()
        obs, _, done, _, info = env.step(action)
        if done:
            return info


@pytest.mark.parametrize("opponent", ["boulware", "conceder", "hardheaded", "atlas3"])
@pytest.mark.parametrize("seed", [0, 5])
def test_episode_statistics_are_negotiates_for_the_same_play(car_sale, opponent, seed):
    env = NegotiationEnv(car_sale, opponents=opponent, rounds=40, observation="dict")
    info = scripted_episode(env, seed)
    r = detente.negotiate(car_sale, [Script(), opponent], rounds=40, seed=seed)
    assert {k: info[k] for k in STATS} == {k: r[k] for k in STATS}
    assert info["strategies"][1] == r["strategies"][1]


def test_the_learner_may_play_the_second_party_against_a_python_agent(car_sale):
    second = car_sale.parties[1]["name"]
    env = NegotiationEnv(car_sale, opponents=Script(), party=second, rounds=30)
    info = scripted_episode(env, seed=2)
    r = detente.negotiate(car_sale, [Script(), Script()], rounds=30, seed=2)
    assert {k: info[k] for k in STATS} == {k: r[k] for k in STATS}


def test_a_failing_opponent_is_recorded_as_its_failure(car_sale):
    class Raises(detente.Agent):
        def propose(self, state):
            raise RuntimeError("no")

    env = NegotiationEnv(car_sale, opponents=Raises())
    env.reset(seed=0)
    _, _, done, _, info = env.step(env.best_offer_action())
    assert done and info["end_reason"] == "failure"
    assert info["end_detail"]["party"] != env.party_name
    assert "RuntimeError: no" in info["end_detail"]["message"]


def test_bad_arguments_are_refused(car_sale):
    with pytest.raises(ValueError):
        NegotiationEnv(car_sale, protocol="mediated")
    with pytest.raises(ValueError):
        NegotiationEnv(car_sale, party="nobody")
    with pytest.raises(ValueError):
        NegotiationEnv(car_sale, opponents=["boulware", "linear"])
    with pytest.raises(detente.NegotiationError):
        NegotiationEnv(car_sale, opponents="no-such-strategy")
    with pytest.raises(ValueError):
        NegotiationEnv(car_sale, reward="money")


@pytest.mark.parametrize("observation", ["flat", "dict"])
def test_the_parallel_wrapper_lets_every_party_learn(car_sale, observation):
    env = NegotiationParallelEnv(car_sale, rounds=30, observation=observation)
    assert env.possible_agents == [p["name"] for p in car_sale.parties if p["bargains"]]
    obs, infos = env.reset(seed=4)
    target = Script.target
    while env.agents:
        who = env.agent_selection
        o = obs[who]
        turn = (lambda x: x["my_turn"]) if observation == "dict" else (lambda x: x[-1])
        assert turn(o) == 1 and env.observation_space(who).contains(o)
        assert sum(turn(obs[a]) for a in env.agents) == 1
        if has_offer(o) and utility(o) >= np.float32(target):
            action = np.array([1, 0, 0, 0])
        else:
            best = env._s.stepper.own(env._index[who])[2]
            action = np.array([0, *best])
        obs, rewards, terms, truncs, infos = env.step({who: action})
    r = detente.negotiate(car_sale, [Script(), Script()], rounds=30, seed=4)
    info = infos[env.possible_agents[0]]
    assert {k: info[k] for k in STATS} == {k: r[k] for k in STATS}
    assert all(terms.values()) and not any(truncs.values())
    assert [rewards[a] for a in env.possible_agents] == pytest.approx(r["utilities"][:2])
