// The misses inbox, for leads only (the tab is shown when the signed-in account's role is "lead"; the
// server answers anyone else 403, web/misses_api.py): the brokers' messages the assistant missed, grouped
// by similar wording, newest first, each a click from its conversation (the Transcript tab). A lead labels
// a group or one message with the topic that should have answered it, "out of scope" or "needs a new
// topic", undoes a label, and exports the labels as NLU examples for a maintainer to commit.
(() => {
  "use strict";

  const { el } = window.KPDom;
  const desk = window.KPDesk;
  const $ = (id) => document.getElementById(id);
  let choices = []; // [{label, title}] from the server

  const when = (seconds) => new Date(seconds * 1000).toLocaleString();
  const titleOf = (label) => (choices.find((choice) => choice.label === label) || { title: label }).title;

  function picker(labelText) {
    const select = el("select", "filter");
    select.setAttribute("aria-label", labelText);
    select.append(el("option", null, "Choose a label…"));
    select.firstChild.value = "";
    for (const choice of choices) {
      const option = el("option", null, choice.title);
      option.value = choice.label;
      select.append(option);
    }
    return select;
  }

  // A select and a button that labels what `target` names ({group: id} or {message: id}).
  function labeller(target, what) {
    const row = el("div", "miss-labeller");
    const select = picker(`Label for ${what}`);
    const button = el("button", null, target.group ? "Label the group" : "Label");
    button.type = "button";
    button.addEventListener("click", () => {
      if (select.value) act("/api/misses/labels", { ...target, label: select.value }, `Labelled ${what}.`);
    });
    row.append(select, button);
    return row;
  }

  function openConversation(conversation) {
    $("transcript-id").value = conversation;
    desk.selectTab($("tab-transcript"), false);
    $("transcript-form").requestSubmit();
  }

  function renderMessage(message) {
    const item = el("li", "miss");
    item.append(el("p", "miss-text", message.text));
    item.append(el("p", "hint", `${message.kinds.join(", ")} · ${when(message.time)}`));
    const open = el("button", null, "Conversation");
    open.type = "button";
    open.setAttribute("aria-label", `Open the conversation of “${message.text}”`);
    open.addEventListener("click", () => openConversation(message.conversation));
    item.append(open);
    if (message.label) {
      const { label, by, at, batch } = message.label;
      item.append(el("p", "miss-label", `Labelled “${titleOf(label)}” by ${by}, ${when(at)}`));
      const undo = el("button", null, "Undo");
      undo.type = "button";
      undo.addEventListener("click", () => act(`/api/misses/labels/${batch}/undo`, {}, "Label undone."));
      item.append(undo);
    } else {
      item.append(labeller({ message: message.id }, `“${message.text}”`));
    }
    return item;
  }

  function renderGroup(group) {
    const section = el("li", "miss-group");
    const count = group.messages.length;
    section.append(el("h3", null, count > 1 ? `${count} similar messages` : "1 message"));
    if (count > 1) section.append(labeller({ group: group.messages[0].id }, `the group “${group.messages[0].text}”`));
    const list = el("ol", "misses");
    list.append(...group.messages.map(renderMessage));
    section.append(list);
    return section;
  }

  async function load() {
    const body = await desk.get("/api/misses");
    choices = body.labels;
    $("misses-count").textContent = body.groups.length
      ? `${body.groups.length} groups of missed messages in the last ${body.days} days.`
      : `No missed message in the last ${body.days} days.`;
    $("misses").replaceChildren(...body.groups.map(renderGroup));
  }

  async function act(path, value, done) {
    try {
      await desk.post(path, value);
      $("misses-status").textContent = done;
      await load();
    } catch (error) {
      $("misses-status").textContent = error.message;
      desk.failed(error);
    }
  }

  $("misses-export").addEventListener("click", async () => {
    try {
      const done = await desk.post("/api/misses/export");
      $("misses-status").textContent = `Exported ${done.examples} examples to ${done.file} `
        + `(${done.left_out_as_evaluation_copies} left out as evaluation sentences, `
        + `${done.needing_a_new_topic} needing a new topic): a maintainer reads and commits it.`;
    } catch (error) {
      $("misses-status").textContent = error.message;
      desk.failed(error);
    }
  });

  desk.leadTab("misses", load, () => $("misses").replaceChildren());
})();
