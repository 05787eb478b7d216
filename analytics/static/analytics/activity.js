// The admin's Activity page: reads the staff API (/api/admin/activity) with the admin's session
// cookie and draws one Chart.js chart per canvas. The root element's data-state ends as "ready"
// (every chart drawn) or "error" (the message is shown above the charts).
(function () {
  "use strict";

  const COLORS = {
    blue: "#417690",
    green: "#3a9d5d",
    orange: "#e08a1e",
    purple: "#7b5ea7",
    teal: "#2a9d8f",
    red: "#c0504d",
  };

  function errorMessage(status, body) {
    if (body && typeof body === "object") {
      if (body.detail) {
        return body.detail;
      }
      return Object.entries(body)
        .map(([field, messages]) => `${field}: ${[].concat(messages).join(" ")}`)
        .join(" ");
    }
    return `The server answered ${status}.`;
  }

  function timeSeries(canvas, labels, datasets, type) {
    return new Chart(canvas, {
      type: type || "bar",
      data: {
        labels: labels,
        datasets: datasets.map((set) => ({
          label: set.label,
          data: set.data,
          backgroundColor: set.color,
          borderColor: set.color,
          tension: 0,
          pointRadius: labels.length > 60 ? 0 : 2,
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: datasets.length > 1 } },
        scales: {
          x: { ticks: { callback: shortLabel, maxRotation: 0, autoSkip: true } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  }

  // A day's tick shows its month and day (the range above gives the year); other ticks as they are.
  function shortLabel(value) {
    const label = this.getLabelForValue(value);
    return /^\d{4}-\d{2}-\d{2}$/.test(label) ? label.slice(5) : label;
  }

  function draw(overview) {
    const days = overview.days;
    const labels = days.map((day) => day.date);
    const column = (key) => days.map((day) => day[key]);
    timeSeries(
      "chart-active-users",
      labels,
      [{ label: "Active users", data: column("active_users"), color: COLORS.blue }],
      "line",
    );
    timeSeries("chart-focus-minutes", labels, [
      { label: "Verified focus minutes", data: column("verified_focus_minutes"), color: COLORS.green },
    ]);
    timeSeries(
      "chart-sessions-by-hour",
      overview.sessions_by_local_hour.map((row) => String(row.hour).padStart(2, "0")),
      [{ label: "Sessions", data: overview.sessions_by_local_hour.map((row) => row.sessions), color: COLORS.purple }],
    );
    timeSeries("chart-challenges", labels, [
      { label: "Joins", data: column("challenge_joins"), color: COLORS.orange },
      { label: "Completions", data: column("challenge_completions"), color: COLORS.teal },
    ]);
    new Chart("chart-top-topics", {
      type: "bar",
      data: {
        labels: overview.top_topics.map((row) => row.topic),
        datasets: [
          { label: "Minutes", data: overview.top_topics.map((row) => row.minutes), backgroundColor: COLORS.blue },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: "y",
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    timeSeries("chart-registrations", labels, [
      { label: "Registrations", data: column("registrations"), color: COLORS.red },
    ]);
  }

  async function load() {
    const root = document.getElementById("activity");
    const error = document.getElementById("activity-error");
    const start = document.getElementById("activity-start");
    const end = document.getElementById("activity-end");
    const query = new URLSearchParams();
    if (start.value) {
      query.set("start", start.value);
    }
    if (end.value) {
      query.set("end", end.value);
    }
    try {
      const response = await fetch(`${root.dataset.apiUrl}?${query}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const body = await response.json().catch(() => null);
      if (!response.ok) {
        throw new Error(errorMessage(response.status, body));
      }
      start.value = body.start;
      end.value = body.end;
      document.getElementById("activity-timezone").textContent = body.timezone;
      draw(body);
      root.dataset.state = "ready";
    } catch (failure) {
      error.textContent = `The activity could not be loaded: ${failure.message}`;
      root.dataset.state = "error";
    }
  }

  document.addEventListener("DOMContentLoaded", load);
})();
