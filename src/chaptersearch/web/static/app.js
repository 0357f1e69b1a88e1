// chaptersearch's page: search as you type, play a moment in place, keyboard.
// Everything from the server is put in the page with textContent, never as HTML.
"use strict";

(function () {
  const input = document.getElementById("q");
  const results = document.getElementById("results");
  const status = document.getElementById("status");

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function isWeb(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url);
  }

  // --- playing a moment -------------------------------------------------------
  function player() {
    return document.getElementById("player");
  }

  function play(kind, youtube, media, start, label) {
    const box = player();
    if (!box) return false;
    start = Math.max(0, Math.floor(Number(start) || 0));
    if (kind === "youtube" && /^[A-Za-z0-9_-]{11}$/.test(youtube)) {
      let frame = box.querySelector("iframe");
      if (frame && frame.dataset.youtube === youtube) {
        // the IFrame Player API's message protocol: seek the loaded player
        frame.contentWindow.postMessage(
          JSON.stringify({ event: "command", func: "seekTo", args: [start, true] }), "*");
        frame.contentWindow.postMessage(
          JSON.stringify({ event: "command", func: "playVideo", args: [] }), "*");
      } else {
        box.replaceChildren();
        frame = el("iframe");
        frame.dataset.youtube = youtube;
        frame.allow = "autoplay; encrypted-media; picture-in-picture";
        frame.title = "YouTube player";
        frame.src = "https://www.youtube-nocookie.com/embed/" + youtube +
          "?enablejsapi=1&autoplay=1&start=" + start;
        box.appendChild(frame);
      }
      frame.dataset.start = String(start);
    } else if ((kind === "audio" || kind === "video") && isWeb(media)) {
      let element = box.querySelector(kind);
      if (!element || element.dataset.media !== media) {
        box.replaceChildren();
        element = el(kind);
        element.controls = true;
        element.preload = "metadata";
        element.dataset.media = media;
        element.src = media + "#t=" + start;
        box.appendChild(element);
      }
      element.currentTime = start;
      element.dataset.start = String(start);
      const playing = element.play();
      if (playing && playing.catch) playing.catch(function () {});
    } else {
      return false;
    }
    let caption = box.querySelector(".caption");
    if (!caption) {
      caption = el("p", "caption");
      box.appendChild(caption);
    }
    caption.textContent = label || "";
    box.hidden = false;
    return true;
  }

  function playLink(link) {
    const label = link.querySelector(".chapter") ? link.querySelector(".chapter").textContent + " " +
      (link.querySelector(".time") || {}).textContent : "";
    const played = play(link.dataset.kind, link.dataset.youtube, link.dataset.media,
      link.dataset.start, label);
    if (played) {
      document.querySelectorAll(".hit.playing").forEach(function (hit) {
        hit.classList.remove("playing");
      });
      const hit = link.closest(".hit");
      if (hit) hit.classList.add("playing");
    }
    return played;
  }

  // --- the episode page's links ----------------------------------------------
  // They carry only the moment (?t=SECONDS): the page names its query once, in
  // data-query, and it is added to the link followed, so the words stay marked there.
  function withQuery(link) {
    const page = document.querySelector(".episode-page");
    const query = page ? page.dataset.query : "";
    const href = link.getAttribute("href");
    if (!query || !href) return;
    const url = new URL(href, location.href);
    if (url.origin !== location.origin || url.pathname !== location.pathname ||
        !url.searchParams.has("t")) return;
    url.searchParams.set("q", query);
    link.setAttribute("href", url.pathname + url.search + url.hash);
  }

  function followed(event) {
    const link = event.target.closest && event.target.closest(".episode-page a[href]");
    if (link) withQuery(link);
  }

  document.addEventListener("auxclick", followed);
  document.addEventListener("contextmenu", followed);

  document.addEventListener("click", function (event) {
    followed(event);
    const link = event.target.closest("a.play");
    if (link && playLink(link)) {
      event.preventDefault();
      return;
    }
    const seek = event.target.closest("a.seek");
    const page = document.querySelector(".episode-page");
    if (seek && page && play(page.dataset.kind, page.dataset.youtube, page.dataset.media,
        seek.dataset.start, "")) {
      event.preventDefault();
      history.replaceState(null, "", seek.getAttribute("href"));
    }
  });

  // --- results as you type ----------------------------------------------------
  // what the server's page says too: did you mean, and the way to more hits
  function suggest(data) {
    if (!data.did_you_mean) return;
    status.appendChild(document.createTextNode(". Did you mean "));
    const link = el("a", "suggestion", data.did_you_mean);
    link.href = "/?" + new URLSearchParams({ q: data.did_you_mean }).toString();
    status.appendChild(link);
    status.appendChild(document.createTextNode("?"));
  }

  function showMore(data) {
    const box = document.getElementById("more");
    if (!box) return;
    box.replaceChildren();
    if (data.more_page && data.more_page.charAt(0) === "/") {
      const link = el("a", "more-hits", "More hits");
      link.href = data.more_page;
      box.appendChild(link);
    } else if (data.more) {
      box.textContent = "The first " + data.limit + " hits are shown: a filter " +
        "(chapter:, channel:, title:) finds the others.";
    }
  }

  function render(query, data) {
    results.replaceChildren();
    const hits = data.hits || [];
    status.textContent = hits.length + (hits.length === 1 ? " hit" : " hits") + " for “" + query + "”";
    suggest(data);
    showMore(data);
    const groups = new Map();
    hits.forEach(function (hit) {
      if (!groups.has(hit.video_id)) groups.set(hit.video_id, []);
      groups.get(hit.video_id).push(hit);
    });
    groups.forEach(function (group, videoId) {
      const item = el("li", "episode");
      const heading = el("h2");
      const title = el("a", "", group[0].episode_title);
      title.href = "/episodes/" + encodeURIComponent(videoId);
      heading.appendChild(title);
      if (group[0].channel) {
        heading.appendChild(document.createTextNode(" "));
        heading.appendChild(el("span", "channel", group[0].channel));
      }
      item.appendChild(heading);
      const list = el("ul", "hits");
      group.forEach(function (hit) {
        const row = el("li", "hit");
        const link = el("a", "play");
        link.href = isWeb(hit.url) ? hit.url : hit.episode_page;
        link.dataset.kind = hit.player.kind;
        link.dataset.youtube = hit.player.youtube || "";
        link.dataset.media = hit.player.media || "";
        link.dataset.start = String(Math.floor(hit.start));
        // as the terminal says it: "§ Title (8:36, made from the talk)"
        const chapter = el("span", "chapter", "§ " + hit.chapter_title + " (" + hit.chapter_at);
        if (hit.chapter_source === "generated") {
          chapter.appendChild(document.createTextNode(", "));
          chapter.appendChild(el("span", "made-up", "made from the talk"));
        }
        chapter.appendChild(document.createTextNode(")"));
        link.appendChild(chapter);
        // and who speaks then, as the terminal says it: "at 2:51, Divya"
        const time = el("span", "time", "at " + hit.at);
        if (hit.speaker) {
          time.appendChild(document.createTextNode(", "));
          time.appendChild(el("span", "speaker", hit.speaker));
        }
        link.appendChild(time);
        if (hit.more_in_chapter) {
          link.appendChild(el("span", "more", "+" + hit.more_in_chapter + " more in this chapter"));
        }
        if (hit.matched === "chapter title" || hit.matched === "meaning") {
          link.appendChild(el("span", "how",
            hit.matched === "meaning" ? "matched by meaning" : "matched the chapter title"));
        }
        const snippet = el("span", "snippet");
        hit.segments.forEach(function (piece) {
          snippet.appendChild(piece.match ? el("mark", "", piece.text) : document.createTextNode(piece.text));
        });
        link.appendChild(snippet);
        row.appendChild(link);
        const more = el("a", "episode-link", "in the episode →");
        more.href = hit.episode_page + "&q=" + encodeURIComponent(query);
        row.appendChild(more);
        list.appendChild(row);
      });
      item.appendChild(list);
      results.appendChild(item);
    });
  }

  let timer = null;
  let latest = 0;
  function searchSoon() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      const query = input.value.trim();
      const url = query ? "/?q=" + encodeURIComponent(query) : "/";
      history.replaceState(null, "", url);
      if (!query) {
        results.replaceChildren();
        status.textContent = "";
        showMore({});
        return;
      }
      const ticket = ++latest;
      fetch("/api/search?q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (ticket !== latest) return; // a newer query was typed meanwhile
          if (data.error) {
            results.replaceChildren();
            status.textContent = data.error;
            showMore({});
          } else {
            render(query, data);
          }
        })
        .catch(function () { status.textContent = "the search did not answer"; });
    }, 200);
  }

  if (input && results) {
    input.addEventListener("input", searchSoon);
  }

  // --- keyboard ---------------------------------------------------------------
  function hitLinks() {
    return Array.from(document.querySelectorAll("a.play"));
  }

  document.addEventListener("keydown", function (event) {
    const typing = event.target === input;
    if (event.key === "/" && !typing) {
      event.preventDefault();
      input.focus();
      input.select();
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const links = hitLinks();
      if (!links.length) return;
      const at = links.indexOf(document.activeElement);
      let next = event.key === "ArrowDown" ? at + 1 : at - 1;
      if (at === -1) next = 0;
      next = Math.max(0, Math.min(links.length - 1, next));
      event.preventDefault();
      links[next].focus();
      return;
    }
    if (event.key === "Enter" && document.activeElement &&
        document.activeElement.matches("a.play")) {
      if (playLink(document.activeElement)) event.preventDefault();
    }
  });

  // --- episode page: the transcript at the moment ------------------------------
  const current = document.querySelector(".cue.current");
  const transcript = document.querySelector(".transcript");
  if (current && transcript) {
    if (transcript.scrollHeight > transcript.clientHeight) {
      // a box of its own (a wide screen): scroll the box, not the page, so the
      // moment sits in its middle; it is positioned, so offsetTop counts from its top
      transcript.scrollTop = current.offsetTop - transcript.clientHeight / 2 +
        current.clientHeight / 2;
    } else if (new URLSearchParams(location.search).has("t")) {
      // a phone's width: the transcript is part of the page, so the page goes to the
      // moment asked for (none asked: the page opens at its top, the title)
      current.scrollIntoView({ block: "center" });
    }
  }
})();
