"""An experiment's block plan in words: the numbers in the sentence are the schedule's."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from tracker.insights.plan_words import block_plan, drawn
from tracker.journal.plans import MAX_BLOCK, MIN_BLOCK, ON, Block, Plan, schedule

MONDAY = dt.date(2026, 12, 7)


def blocks_of(*lengths: int) -> tuple[Block, ...]:
    out, start = [], MONDAY
    for length in lengths:
        out.append(Block(start, length, ON))
        start += dt.timedelta(days=length)
    return tuple(out)


def test_blocks_of_one_length_say_that_length_and_the_total() -> None:
    assert block_plan(blocks_of(5, 5, 5, 5)) == (
        "4 blocks of 5 nights: 20 nights (about 3 weeks), Mon 07 Dec to Sat 26 Dec."
    )


def test_blocks_of_several_lengths_say_the_shortest_and_longest() -> None:
    assert block_plan(blocks_of(3, 7, 4, 6)) == (
        "4 blocks of 3 to 7 nights: 20 nights (about 3 weeks), Mon 07 Dec to Sat 26 Dec."
    )
    assert block_plan(blocks_of(3, 3, 4, 3)) == "4 blocks of 3 to 4 nights: 13 nights, " + (
        "Mon 07 Dec to Sat 19 Dec."
    )


@given(st.sampled_from([4, 6, 8, 10, 12, 14, 16]), st.integers(0, 2**31 - 1))
def test_the_sentence_is_the_schedule_the_plan_keeps(count: int, seed: int) -> None:
    blocks = drawn(MONDAY, count, seed)
    assert blocks == schedule(
        Plan(habit="water", start=MONDAY, seed=seed, blocks=count, target=2000)
    )
    lengths = [b.nights for b in blocks]
    total = sum(lengths)
    words = block_plan(blocks)
    assert words.startswith(f"{count} blocks of ")
    assert f": {total} nights" in words
    assert f"{min(lengths)} to {max(lengths)} nights" in words or len(set(lengths)) == 1
    assert all(MIN_BLOCK <= n <= MAX_BLOCK for n in lengths)
    assert words.endswith(f"to {MONDAY + dt.timedelta(days=total - 1):%a %d %b}.")
