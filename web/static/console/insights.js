// The Insights tab, for leads only (shown when the signed-in account's role is "lead"; the server answers
// anyone else 403, web/insights_api.py): a range of UTC days, the last 30 by default; the range at a
// glance; and one chart per table the server sends (ops/insights.py), drawn with Chart.js, each with its
// numbers as a table and a link to the same table as CSV. The tables carry structure (columns, rows, the
// chart's kind and unit): nothing here reads a figure out of text.
(() => {
  "use strict";

  const { el } = window.KPDom;
  const desk = window.KPDesk;
  const $ = (id) => document.getElementById(id);
  const COLOURS = ["#0b4f8a", "#c0392b", "#1e6b3c", "#b7791f", "#6b46c1", "#4a5260", "#0f766e"];
  const charts = []; // the Chart.js charts drawn, destroyed before the next range is drawn

  const shown = (value, unit) => {
    if (value === null || value === undefined) return "–";
    if (unit === "%") return `${value} %`;
    if (unit === "seconds") return `${value} s`;
    return value.toLocaleString("en-US");
  };

  function query() {
    return new URLSearchParams({ from: $("insights-from").value, to: $("insights-to").value });
  }

  function renderSummary(summary) {
    $("insights-summary").replaceChildren(...summary.map((item) => {
      const box = el("div");
      box.dataset.figure = item.name;
      box.append(el("dt", null, item.label), el("dd", null, shown(item.value, item.unit)));
      return box;
    }));
  }

  function renderTable(table) {
    const node = el("table");
    node.append(el("caption", null, table.title + (table.unit === "%" ? " (%)" : table.unit === "seconds" ? " (seconds)" : "")));
    const head = el("tr");
    for (const column of table.columns) {
      const th = el("th", null, column);
      th.scope = "col";
      head.append(th);
    }
    const thead = el("thead");
    thead.append(head);
    const body = el("tbody");
    for (const row of table.rows) {
      const tr = el("tr");
      row.forEach((cell, index) => {
        const text = index === 0 || typeof cell === "string" ? String(cell) : shown(cell, "count");
        const td = el(index === 0 ? "th" : "td", typeof cell === "string" ? "text" : null, cell === null ? "–" : text);
        if (index === 0) td.scope = "row";
        tr.append(td);
      });
      body.append(tr);
    }
    node.append(thead, body);
    return node;
  }

  function chartConfig(table) {
    const plotted = table.plotted.length ? table.plotted : table.columns.map((_, i) => i).slice(1);
    const kind = table.chart;
    const datasets = plotted.map((column, n) => ({
      label: table.columns[column],
      data: table.rows.map((row) => row[column]),
      backgroundColor: COLOURS[n % COLOURS.length],
      borderColor: COLOURS[n % COLOURS.length],
      spanGaps: false,
    }));
    const stacked = kind === "stacked" || (kind === "topics" && datasets.length > 1);
    const value = { beginAtZero: true, stacked, title: { display: table.unit !== "count", text: table.unit } };
    if (table.unit === "%") value.max = 100;
    const label = { stacked };
    return {
      type: kind === "line" ? "line" : "bar",
      data: { labels: table.rows.map((row) => row[0]), datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: kind === "topics" ? "y" : "x",
        scales: kind === "topics" ? { x: value, y: label } : { x: label, y: value },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
      },
    };
  }

  function renderChart(table) {
    const figure = el("section", "insights-chart");
    figure.dataset.table = table.name;
    figure.setAttribute("aria-labelledby", `insights-${table.name}-title`);
    const title = el("h3", null, table.title);
    title.id = `insights-${table.name}-title`;
    figure.append(title);
    if (table.chart) {
      const box = el("div", "chart-box");
      const canvas = el("canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `${table.title}: chart; its numbers are in the table below`);
      box.append(canvas);
      figure.append(box);
      charts.push(new Chart(canvas, chartConfig(table)));
    }
    const details = el("details");
    details.open = !table.chart; // a table without a chart shows itself
    details.append(el("summary", null, `Table: ${table.title}`));
    const wrap = el("div", "insights-table-wrap");
    wrap.append(renderTable(table));
    details.append(wrap);
    const csv = el("a", "csv-link", "Download CSV");
    const params = query();
    params.set("table", table.name);
    csv.href = `/api/insights.csv?${params}`;
    csv.setAttribute("download", "");
    csv.setAttribute("aria-label", `Download CSV: ${table.title}`);
    figure.append(details, csv);
    return figure;
  }

  async function load() {
    const params = $("insights-from").value ? `?${query()}` : "";
    $("insights-status").textContent = "Loading…";
    const body = await desk.get(`/api/insights${params}`);
    $("insights-from").value = body.from;
    $("insights-to").value = body.to;
    for (const chart of charts.splice(0)) chart.destroy();
    renderSummary(body.summary);
    $("insights-charts").replaceChildren();
    for (const table of body.tables) $("insights-charts").append(renderChart(table));
    $("insights-status").textContent = `${body.from} to ${body.to} (${body.timezone} days).`;
  }

  function failed(error) {
    $("insights-status").textContent = error.message;
    desk.failed(error);
  }

  $("insights-form").addEventListener("submit", (event) => {
    event.preventDefault();
    load().catch(failed);
  });

  desk.leadTab("insights", load, () => {
    for (const chart of charts.splice(0)) chart.destroy();
    $("insights-charts").replaceChildren();
    $("insights-summary").replaceChildren();
    $("insights-from").value = "";
    $("insights-to").value = "";
  }, failed);
})();
