/* The room display: counts down from the server's clock, never from timers adding up.
 *
 * Every answer of state.json carries the server's time (`now`, epoch ms, the simulated clock of
 * rehearsals too, running `speed` times as fast); the display's time is that instant plus the
 * time elapsed since (performance.now(), monotonic), so a whole day without reload stays right.
 * It asks again every `data-poll` seconds with the digest it shows: the answer is the time only
 * until a repair is published, then the new rounds and meetings. A sound (Web Audio, no file)
 * marks each rotation once the sound is switched on (browsers need a click for it).
 */
(function () {
  "use strict";
  const body = document.body;
  const t = body.dataset;
  const stateUrl = t.stateUrl;
  const hall = t.hall || "";
  const pollMs = Math.max(1, Number(t.poll) || 15) * 1000;
  let state = null;
  let digest = "";
  let serverAt = 0;
  let localAt = 0;
  let speed = 1;
  let lastKey = null;
  let audio = null;

  function now() {
    return serverAt + (performance.now() - localAt) * speed;
  }

  function text(id, value) {
    const node = document.getElementById(id);
    if (node && node.textContent !== value) node.textContent = value;
  }

  function duration(ms) {
    const total = Math.max(0, Math.ceil(ms / 1000));
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    const two = (n) => String(n).padStart(2, "0");
    return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
  }

  function wallClock(ms) {
    try {
      return new Intl.DateTimeFormat(t.language, {
        timeZone: t.timezone, hour: "2-digit", minute: "2-digit", second: "2-digit",
      }).format(new Date(ms));
    } catch (error) {
      return new Date(ms).toLocaleTimeString();
    }
  }

  function beep() {
    if (!audio) return;
    const start = audio.currentTime;
    [0, 0.45].forEach(function (offset, i) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = i === 0 ? 660 : 880;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.6, start + offset + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.4);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.42);
    });
  }

  function where(rounds, at) {
    /* The round under way (or null) and the next one to start (or null). */
    let current = null;
    let next = null;
    for (let i = 0; i < rounds.length; i += 1) {
      const round = rounds[i];
      if (round.start <= at && at < round.end) current = i;
      if (round.start > at) { next = i; break; }
    }
    return { current: current, next: next };
  }

  function roundName(rounds, i) {
    const round = rounds[i];
    const days = new Set(rounds.map((r) => r.day));
    const number = t.tRound.replace("{number}", String(i + 1));
    return `${number} · ${days.size > 1 ? round.day + " · " : ""}${round.label}`;
  }

  function showMeetings(round) {
    const list = document.getElementById("meetings");
    /* drawn again for another round, or for the same round of a newly published version */
    const key = round ? `${digest}:${round.start}` : "none";
    if (list.dataset.round === key) return;
    list.dataset.round = key;
    list.replaceChildren();
    const meetings = round ? round.meetings : [];
    if (!meetings.length) {
      const item = document.createElement("li");
      item.className = "empty";
      item.textContent = round ? t.tEmpty : "";
      if (round) list.append(item);
      return;
    }
    meetings.forEach(function (meeting) {
      const item = document.createElement("li");
      const table = document.createElement("span");
      table.className = "table";
      table.textContent = meeting.table;
      const who = document.createElement("span");
      who.className = "who";
      meeting.names.forEach(function (name) {
        const person = document.createElement("span");
        person.textContent = name;
        who.append(person);
      });
      if (!hall && meeting.hall) {
        const place = document.createElement("span");
        place.className = "place";
        place.textContent = meeting.hall;
        who.append(place);
      }
      item.append(table, who);
      list.append(item);
    });
    fit(list);
  }

  function fit(list) {
    /* Many tables: smaller type until the list fits its part of the screen (not below 1.4vh). */
    const box = list.parentElement;
    let size = 3;
    list.style.fontSize = size + "vh";
    while (size > 1.4 && box.scrollHeight > box.clientHeight) {
      size -= 0.2;
      list.style.fontSize = size.toFixed(1) + "vh";
    }
  }

  function render() {
    if (!state) return;
    const at = now();
    text("clock", wallClock(at));
    const rounds = state.rounds || [];
    if (state.version === null || state.version === undefined) {
      text("current-round", t.tUnpublished);
    }
    const found = where(rounds, at);
    const key = found.current === null ? `between:${found.next}` : `round:${found.current}`;
    if (lastKey !== null && key !== lastKey) {
      body.dataset.rotations = String(Number(body.dataset.rotations) + 1);
      beep();
    }
    lastKey = key;
    body.dataset.current = found.current === null ? "" : String(found.current);
    body.dataset.next = found.next === null ? "" : String(found.next);
    if (found.current !== null) {
      text("current-round", roundName(rounds, found.current));
      text("end-label", t.tEnds);
      text("countdown-end", duration(rounds[found.current].end - at));
    } else if (state.version !== null && state.version !== undefined) {
      const before = rounds.length && found.next === 0;
      text("current-round", found.next === null ? t.tOver : before ? "—" : t.tBreak);
      text("end-label", before ? t.tBefore : "");
      text("countdown-end", before ? duration(rounds[0].start - at) : "");
    }
    if (found.next !== null) {
      text("next-round", roundName(rounds, found.next));
      text("countdown-next", duration(rounds[found.next].start - at));
    } else {
      text("next-round", "—");
      text("countdown-next", "—");
    }
    showMeetings(found.next === null ? null : rounds[found.next]);
  }

  async function poll() {
    const url = new URL(stateUrl, window.location.href);
    if (hall) url.searchParams.set("hall", hall);
    if (digest) url.searchParams.set("known", digest);
    url.searchParams.set("lang", t.language);
    const asked = performance.now();
    try {
      const response = await fetch(url, { cache: "no-store", credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      const answered = performance.now();
      serverAt = data.now;
      localAt = (asked + answered) / 2;
      speed = data.speed || 1;
      if (!data.unchanged) {
        state = data;
        digest = data.digest;
        body.dataset.version = data.version === null ? "" : String(data.version);
        text("status", data.version === null ? "" : t.tVersion.replace("{version}", data.version));
      } else {
        text("status", state && state.version !== null ? t.tVersion.replace("{version}", state.version) : "");
      }
      body.dataset.online = "true";
    } catch (error) {
      body.dataset.online = "false";
      text("status", t.tOffline);
    }
    render();
  }

  document.getElementById("sound").addEventListener("click", function () {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    audio = audio || new Context();
    audio.resume();
    beep();
    body.dataset.sound = "on";
    this.hidden = true;
  });

  poll();
  window.setInterval(poll, pollMs);
  window.setInterval(render, 250);
})();
