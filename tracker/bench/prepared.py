"""The prepared pages: what the framework alone costs for the app's own output.

At bench start the real Trends page and the real Last night page just after a save are run
once in Streamlit's AppTest on the bench's journal, and what they drew is kept as a list of
elements (JSON: each element's kind, the public arguments that draw it, its children; the
charts' Vega-Lite specs whole). The prepared app (PREPARED_APP) draws those lists again with
the same public Streamlit calls: no database, no computation. Its Last night's save is a
button callback that shows the captured "Saved" message and toast, in a fragment as the real
page's save bar is (a save reruns only that part). What AppTest does not carry (element widths)
is left to Streamlit's defaults, charts and buttons stretched as the app draws them.
"""

from __future__ import annotations

import json
from pathlib import Path

from tracker.bench.measure import APP, Built, app_test_on

TRENDS, LAST_NIGHT = "Trends", "Last night"
SAVED = "Saved the night of"
FRAGMENT_KEYS = ("ln_savebar", "ln_delete")  # what the real save bar's fragment draws
CRAMPS_BOX = "ln_cramps"  # drawn into by that fragment, higher on the page
STYLES = {0: "segmented_control", 1: "pills"}
COLORS = {0: "red", 1: "green", 2: "gray", 3: "orange", 4: "yellow", 5: "blue", 6: "violet"}
ARROWS = {0: "down", 1: "up", 2: "off"}
ALERTS = ("info", "success", "warning", "error")


def _heading(p) -> dict:  # noqa: ANN001
    return {"body": p.body, "anchor": False if p.hide_anchor else (p.anchor or None)}


def _element(el) -> dict:  # noqa: ANN001, C901 (one branch a kind of element)
    """One AppTest element as {"kind", "args"} for the same public Streamlit call."""
    kind, p = el.type, el.proto
    key = getattr(el, "key", None)
    if kind in ("title", "header", "subheader"):
        return {"kind": kind, "args": _heading(p)}
    if kind in ("markdown", "caption"):
        return {"kind": kind, "args": {"body": p.body, "help": p.help or None}}
    if kind in ALERTS:
        return {"kind": kind, "args": {"body": p.body, "icon": p.icon or None}}
    if kind == "metric":
        return {"kind": kind, "args": {
            "label": p.label, "value": p.body, "delta": p.delta or None,
            "delta_color": COLORS[p.color], "delta_arrow": ARROWS[p.direction],
            "help": p.help or None, "border": p.show_border}}  # fmt: skip
    if kind == "button_group":
        options = [o.content for o in p.options]
        chosen = [options[i] for i in el.indices]
        multi = p.click_mode == 1
        return {"kind": STYLES[p.style], "args": {
            "label": p.label, "options": options, "key": key, "help": p.help or None,
            "selection_mode": "multi" if multi else "single", "disabled": p.disabled,
            "required": p.required,
            "default": chosen if multi else (chosen[0] if chosen else None)}}  # fmt: skip
    if kind == "button":
        return {"kind": kind, "args": {
            "label": p.label, "key": key, "type": p.type or "secondary",
            "icon": p.icon or None, "disabled": p.disabled, "help": p.help or None}}  # fmt: skip
    if kind in ("text_input", "text_area"):
        args = {"label": p.label, "key": key, "value": el.value or "", "help": p.help or None}
        args |= {"placeholder": p.placeholder or None, "max_chars": p.max_chars or None}
        return {"kind": kind, "args": args}
    if kind == "checkbox":
        return {"kind": kind, "args": {"label": p.label, "key": key, "value": bool(el.value)}}
    if kind == "date_input":
        return {"kind": kind, "args": {
            "label": p.label, "key": key, "value": el.value.isoformat(), "format": p.format,
            "max_value": p.max or None}}  # fmt: skip
    if kind == "html":
        return {"kind": kind, "args": {"body": p.body, "unsafe": p.unsafe_allow_javascript}}
    if kind == "vega_lite_chart":
        return {"kind": kind, "args": {"spec": json.loads(p.spec)}}
    raise ValueError(f"the prepared page cannot draw a {kind} yet")


def _block(block) -> dict:  # noqa: ANN001
    kind, p = block.type, block.proto
    children = capture(block)
    if kind == "expander":
        args = {"label": p.label, "expanded": p.expanded, "key": getattr(block, "key", None)}
        return {"kind": "expander", "args": args | {"icon": p.icon or None},
                "children": children}  # fmt: skip
    if kind == "tab_container":
        labels = [tab.label for tab in block.children.values()]
        return {"kind": "tabs", "args": {"labels": labels, "key": getattr(block, "key", None)},
                "children": children}  # fmt: skip
    if kind == "flex_container" and children and all(c["kind"] == "column" for c in children):
        return {"kind": "columns", "args": {"count": len(children)}, "children": children}
    return {"kind": kind, "args": {"key": getattr(block, "key", None)}, "children": children}


def capture(node) -> list[dict]:  # noqa: ANN001
    """What an AppTest node (its main area, a block) drew, as elements to draw again."""
    found = []
    for child in node.children.values():
        is_block = type(child).__name__ in ("Block", "Column", "Tab", "Expander", "Tabs")
        found.append(_block(child) if is_block else _element(child))
    return found


def shape(node, page: bool = False) -> list:  # noqa: ANN001
    """What a page drew, to compare two pages: each element's kind, key and words (with page,
    from its title on: the router's pieces before it left out)."""
    out = []
    children = list(node.children.values())
    if page:
        children = children[next(i for i, c in enumerate(children) if c.type == "title") :]
    for child in children:
        p = getattr(child, "proto", None)
        words = [getattr(p, f, "") for f in ("label", "body", "spec") if hasattr(p, f)]
        if child.type == "vega_lite_chart":
            words = [json.loads(p.spec)]
        out.append((child.type, getattr(child, "key", None), words))
        if hasattr(child, "children") and child.type not in ("button_group",):
            out.append(shape(child))
    return out


def real_pages(journal: Built) -> dict:
    """The real Last night just after a save (of a night saved before: the save bar's
    fragment alone) and Trends, run once in AppTest on this journal (which gains last night):
    their main areas, the save's toasts and what the router draws before any page."""
    from streamlit.testing.v1 import AppTest

    with app_test_on(journal):
        at = AppTest.from_file(str(APP), default_timeout=300).run()
        first = list(at.main.children.values())  # the router's own pieces come first
        router = first[: next(i for i, el in enumerate(first) if el.type == "title")]
        router += list(at._tree.children[2].children.values())  # its style: the event area
        at.button(key="ln_add").click().run()
        cid = at.session_state["ln_cramp_ids"][-1]
        for name, value in (("when", "2 am"), ("sev", 6), ("leg", "left")):
            at.button_group(key=f"ln_c{cid}_{name}").set_value(value)
        at.button(key="ln_save").click().run()  # a new night: the whole page again
        at.button(key=f"ln_c{cid}_open").click().run()
        at.button(key="ln_save").click().run()  # a saved night saved again: the fragment
        if at.exception or not any(SAVED in s.value for s in at.success):
            raise RuntimeError(f"the Last night page failed: {at.exception}")
        found = {"router": router, LAST_NIGHT: at.main, "toasts": [t.proto for t in at.toast]}
        at.switch_page("pages/trends.py").run()
        if at.exception or [t.value for t in at.title] != [TRENDS]:
            raise RuntimeError(f"the Trends page failed: {at.exception}")
    return found | {TRENDS: at.main}


def capture_pages(journal: Built) -> dict:
    """The real pages (real_pages) as the prepared app draws them again."""
    real = real_pages(journal)
    toasts = [{"body": t.body, "icon": t.icon or None} for t in real["toasts"]]
    router = [_block(el) if hasattr(el, "children") else _element(el) for el in real["router"]]
    pages = {LAST_NIGHT: capture(real[LAST_NIGHT]), TRENDS: capture(real[TRENDS])}
    return pages | {"router": router, "toasts": toasts}


def write_pages(pages: dict, folder: Path) -> Path:
    """The prepared app, its two pages and their JSON in folder; the app's path."""
    drawn = pages | {"fragment_keys": FRAGMENT_KEYS, "cramps_box": CRAMPS_BOX}
    (folder / "prepared_pages.json").write_text(json.dumps(drawn))
    (folder / "prepared_draw.py").write_text(PREPARED_DRAW)
    for name in ("last_night", "trends"):
        page = f"import prepared_draw\n\nprepared_draw.{name}()\n"
        (folder / f"prepared_{name}.py").write_text(page)
    script = folder / "prepared_app.py"
    script.write_text(PREPARED_APP)
    return script


# The app's top navigation (tracker.app.navigation.PAGES, which the bench may not import; a
# test keeps them the same): the pages other than Last night and Trends are left blank.
NAVIGATION = (
    ("last_night", "Last night", ":material/bedtime:"),
    ("history", "History", ":material/calendar_month:"),
    ("trends", "Trends", ":material/monitoring:"),
    ("experiments", "Experiments", ":material/science:"),
    ("summary", "Summary", ":material/description:"),
    ("red_flags", "Warning signs", ":material/warning:"),
    ("settings", "Settings", ":material/settings:"),
    ("guide", "Guide", ":material/lightbulb:"),
)
PREPARED_APP = f'''"""Cramp Journal bench: the prepared pages (captured output, drawn again)."""
import streamlit as st

import prepared_draw

NAVIGATION = {NAVIGATION!r}
st.set_page_config(page_title="Cramp Journal", page_icon="🌙", layout="centered")
prepared_draw.draw_all(prepared_draw.PAGES["router"])
pages = []
for name, title, icon in NAVIGATION:
    drawn = name in ("last_night", "trends")
    page = f"prepared_{{name}}.py" if drawn else (lambda title=title: st.title(title))
    pages.append(st.Page(page, title=title, icon=icon, url_path=name, default=not pages))
st.navigation(pages, position="top").run()
'''


# Draws the captured pages again with the same public calls (prepared_app.py's two pages).
PREPARED_DRAW = '''"""Cramp Journal bench: the prepared pages (captured output, drawn again)."""
import datetime as dt
import json
from pathlib import Path

import streamlit as st

PAGES = json.loads((Path(__file__).parent / "prepared_pages.json").read_text())
FRAGMENT_KEYS, CRAMPS_BOX = PAGES["fragment_keys"], PAGES["cramps_box"]
ss = st.session_state


def draw(node, at=None):
    kind, args, kids = node["kind"], dict(node["args"]), node.get("children", [])
    dg = at or st
    if kind in ("title", "header", "subheader"):
        getattr(dg, kind)(args["body"], anchor=args["anchor"])
    elif kind in ("markdown", "caption"):
        getattr(dg, kind)(args["body"], help=args["help"])
    elif kind in ("info", "success", "warning", "error"):
        getattr(dg, kind)(args["body"], icon=args["icon"])
    elif kind == "metric":
        dg.metric(**args)
    elif kind in ("segmented_control", "pills"):
        getattr(dg, kind)(**args)
    elif kind == "button":
        dg.button(**args, width="stretch")
    elif kind in ("text_input", "text_area", "checkbox"):
        value = args.pop("value")
        key = args["key"]
        if key not in ss:
            ss[key] = value
        getattr(dg, kind)(**args)
    elif kind == "date_input":
        key = args["key"]
        if key not in ss:
            ss[key] = dt.date.fromisoformat(args["value"])
        maximum = args["max_value"]
        dg.date_input(args["label"], key=key, format=args["format"],
                      max_value=dt.date.fromisoformat(maximum) if maximum else None)
    elif kind == "html":
        dg.html(args["body"], unsafe_allow_javascript=args["unsafe"])
    elif kind == "vega_lite_chart":
        dg.vega_lite_chart(args["spec"], width="stretch")
    elif kind == "expander":
        rerun = {"on_change": "rerun"} if args["key"] else {}
        with dg.expander(args["label"], expanded=args["expanded"], icon=args["icon"],
                         key=args["key"], **rerun):
            draw_all(kids)
    elif kind == "tabs":
        tabs = dg.tabs(args["labels"], key=args["key"], on_change="rerun")
        for tab, kid in zip(tabs, kids):
            if kid.get("children"):
                with tab:
                    draw_all(kid["children"])
    elif kind == "columns":
        for column, kid in zip(dg.columns(args["count"]), kids):
            with column:
                draw_all(kid["children"])
    else:  # a container, keyed or not
        with dg.container(key=args["key"]):
            draw_all(kids)


def draw_all(nodes):
    for node in nodes:
        draw(node)


def saved():
    ss["outcome"] = True


@st.fragment
def save_bar(box, in_box, nodes):
    """As the real page's: the cramps (drawn into box, higher up), the save bar, Delete."""
    with box:
        draw_all(in_box)
    done = ss.pop("outcome", False)
    for node in nodes:
        if node["args"].get("key") == "ln_savebar":
            with st.container(key="ln_savebar"):
                for kid in node["children"]:
                    if kid["kind"] == "button":
                        st.button(**kid["args"], width="stretch", on_click=saved)
                    elif done:
                        draw(kid)
                        for toast in PAGES["toasts"]:
                            st.toast(toast["body"], icon=toast["icon"])
        else:
            draw(node)


def last_night():
    in_box, box = [], None
    for node in PAGES["Last night"]:
        keys = [k["args"].get("key") for k in node.get("children", [])]
        if node["args"].get("key") == CRAMPS_BOX:
            in_box = node["children"][0]["children"]  # the fragment's part of it
            box = st.container(key=CRAMPS_BOX)
        elif any(key in FRAGMENT_KEYS for key in keys):
            save_bar(box, in_box, node["children"])
        else:
            draw(node)


def trends():
    draw_all(PAGES["Trends"])
'''
