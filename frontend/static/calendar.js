// The building's resource calendar (@event-calendar, global EventCalendar): rooms as columns
// for a day, as rows on a week timeline. The page works without it: the list per room below
// is the same data rendered by the server, and the date navigation is plain links.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // A Date on the calendar's clock as the building's wall-clock time (the events are floating
  // local times of the building, so the calendar's clock is the building's).
  function wall(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
      "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":00";
  }

  function wallOf(text, date) {
    return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(text || "") ? text.slice(0, 16) : wall(date).slice(0, 16);
  }

  function start() {
    var root = document.querySelector("[data-calendar]");
    if (!root || typeof EventCalendar === "undefined") return;
    var holder = root.querySelector(".cal-graphic__calendar");
    var data = root.dataset;
    var week = data.view === "resourceTimelineWeek";
    root.hidden = false;

    function events(info) {
      var url = data.dataUrl + "?start=" + encodeURIComponent(wall(info.start)) +
        "&end=" + encodeURIComponent(wall(info.end));
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("calendar data: " + response.status);
          return response.json();
        })
        .then(function (body) { return body.events; });
    }

    // A selection starts a request in that room at that time (one day at most).
    function select(info) {
      var from = wallOf(info.startStr, info.start);
      var to = wallOf(info.endStr, info.end);
      var day = from.slice(0, 10);
      // A time field cannot hold 24:00: a selection up to midnight asks for 23:59.
      var end = to.slice(0, 10) === day ? to.slice(11, 16) : "23:59";
      var query = new URLSearchParams({
        room: info.resource ? info.resource.id : "",
        date: day,
        start: from.slice(11, 16),
        end: end
      });
      window.location.assign(data.bookUrl + "?" + query.toString());
    }

    // A selection stays within one day and off what holds or closes the room (a waiting
    // request does not hold it); the booking form checks the rest.
    var blocking = { busy: true, closure: true, closed: true };
    function allowed(info) {
      var last = new Date(info.end.getTime() - 1);
      if (info.start.toDateString() !== last.toDateString()) return false;
      var room = info.resource ? String(info.resource.id) : null;
      return !calendar.getEvents().some(function (event) {
        return blocking[event.extendedProps.kind] &&
          event.resourceIds.map(String).indexOf(room) !== -1 &&
          event.start < info.end && info.start < event.end;
      });
    }

    // The library's grid carries ARIA grid roles and indexes without the grid around them
    // (axe: aria-required-children, aria-allowed-attr); the list by room below holds the same
    // data for assistive technology, so the drawing keeps only its text. Its scrolling pane
    // takes the focus, so a keyboard can scroll it.
    function quietRoles() {
      holder.querySelectorAll("[role], [aria-colindex], [aria-rowindex]").forEach(function (el) {
        if (el.getAttribute("role") !== "button") el.removeAttribute("role");
        el.removeAttribute("aria-colindex");
        el.removeAttribute("aria-rowindex");
      });
      holder.querySelectorAll(".ec-main, .ec-body").forEach(function (pane) {
        if (pane.scrollHeight > pane.clientHeight || pane.scrollWidth > pane.clientWidth) {
          pane.setAttribute("tabindex", "0");
          pane.setAttribute("aria-label", data.label);
        }
      });
    }

    // A block too narrow for its text says it on hover.
    function describe(info) {
      if (info.event.display !== "background") {
        var title = typeof info.event.title === "string" ? info.event.title : info.el.textContent;
        info.el.setAttribute("title", (info.timeText ? info.timeText + " " : "") + title);
      }
    }

    var time = { hour: "2-digit", minute: "2-digit", hour12: false };
    var calendar = EventCalendar.create(holder, {
      view: data.view,
      date: data.date,
      locale: data.locale === "en" ? "en-GB" : "ro-RO",
      firstDay: 1,
      headerToolbar: { start: "", center: "", end: "" },
      resources: JSON.parse(data.resources),
      eventSources: [{ events: events }],
      slotMinTime: data.slotMin,
      slotMaxTime: data.slotMax,
      scrollTime: data.slotMin,
      height: week ? "auto" : "42rem",
      slotDuration: week ? "01:00" : "00:30",
      slotWidth: week ? 28 : 48,
      slotLabelInterval: week ? "03:00" : undefined,
      slotHeight: 28,
      allDaySlot: false,
      nowIndicator: true,
      selectable: true,
      selectConstraint: allowed,
      select: select,
      eventTimeFormat: time,
      slotLabelFormat: time,
      dayHeaderFormat: week ? { weekday: "short", day: "numeric", month: "short" } : { weekday: "long", day: "numeric", month: "long" },
      eventAllUpdated: quietRoles,
      eventDidMount: describe,
      viewDidMount: quietRoles
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
