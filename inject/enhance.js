/*
 * enhance.js: submits the forms of a server-rendered page without reloading it.
 *
 * The gateway in front of the page answers a POST carrying `x-sveltekit-action: true` with a
 * SvelteKit ActionResult (JSON whose `data` is devalue text); for an HTML reply that data is
 * {title, body, bodyAttributes?}, the page the backend rendered. This script sends such
 * requests and shows their results by morphing the page in place. GET forms become
 * client-side navigations. Whatever this script cannot do exactly, it leaves to the browser:
 * a submit is only taken over once everything needed to handle it is in hand.
 *
 * The sections follow a submission's life: find forms, build the request, send it, read the
 * result, apply it (morph, focus, history), and the hooks a page can use.
 */
(() => {
  'use strict';

  if (window.enhance?.version) return; // loaded twice: the first copy rules

  const VERSION = '1.0.0';
  const PROGRESS_DELAY = 400; // ms before a slow request shows the progress bar
  const SERVER_OWNED_NAME = /csrf|xsrf|authenticity_token|requestverificationtoken|^_token$/i;

  // The CSP nonce this script was loaded with. Browsers hide the nonce attribute once the
  // element is parsed, but the property stays: read it now, while currentScript is us.
  const ownNonce = document.currentScript?.nonce;

  // Older engines ignore FormData's second argument; engines that know it refuse a
  // submitter that is not a submit button of the form. Probe that once.
  const formDataTakesSubmitter = (() => {
    try {
      new FormData(document.createElement('form'), document.documentElement);
      return false;
    } catch {
      return true;
    }
  })();

  const submissions = new WeakMap(); // form → the submission in flight {controller, submitter}
  let navigation; // AbortController of the navigation in flight
  let swapped; // the page no longer shows what the browser loaded
  let shownURL = location.href; // the URL whose content is on screen
  let expectedNonce; // nonce the current reply's CSP gives its scripts, when known

  // A form's named controls shadow its properties (an input named "action" hides
  // form.action), so form state is read through attributes and the prototype.
  const formElements = (form) =>
    Object.getOwnPropertyDescriptor(HTMLFormElement.prototype, 'elements').get.call(form);

  // Dispatches enhance:NAME; false when a listener prevented its default.
  const emit = (target, name, detail) =>
    target.dispatchEvent(new CustomEvent('enhance:' + name, {bubbles: true, cancelable: true, detail}));

  /* ---------------------------------------------------------------- find forms */

  // The value of an attribute on the element or its nearest ancestor that has it.
  const inherited = (el, name) => el.closest(`[${name}]`)?.getAttribute(name);

  // A boolean data attribute: present and not "false" ("false" turns off one set further up).
  const isOn = (value) => value != null && value !== 'false';

  // A data-sveltekit-* router option on the form or an ancestor.
  const routerOption = (form, name) => isOn(inherited(form, 'data-sveltekit-' + name));

  function optedOut(form) {
    return inherited(form, 'data-enhance') === 'false' || routerOption(form, 'reload');
  }

  // Forms that Turbo, Rails UJS or htmx submit themselves (truthy when so).
  function ownedByAnotherLibrary(form, submitter) {
    const turbo = inherited(form, 'data-turbo');
    const htmx = (el) => el && [...el.attributes].some((a) => /^(data-)?hx-/.test(a.name));
    return (
      (turbo != null ? turbo !== 'false' : window.Turbo) ||
      isOn(form.getAttribute('data-remote')) ||
      htmx(form) ||
      htmx(submitter) ||
      form.closest('[hx-boost="true"],[data-hx-boost="true"]')
    );
  }

  // What a submit event asks for, or null when the browser should handle it.
  function readSubmission(event) {
    const form = event.target;
    // Without event.submitter the clicked button's name=value would be lost.
    if (event.defaultPrevented || !(form instanceof HTMLFormElement) || !('submitter' in event)) return null;
    const submitter = event.submitter;
    // formmethod, formaction, formenctype and formtarget on the button win over the form's.
    const attr = (name) => submitter?.getAttribute('form' + name) ?? form.getAttribute(name);
    const lower = (name) => (attr(name) || '').toLowerCase();
    const method = lower('method');
    const enctype = lower('enctype');
    const target = attr('target') ?? document.querySelector('base[target]')?.getAttribute('target');
    const action = new URL(attr('action') || location.href, document.baseURI);
    // Browsers encode form data in the page's charset; ours would always be UTF-8.
    const charset = form.getAttribute('accept-charset') || document.characterSet;
    const post = method === 'post';
    if (
      method === 'dialog' ||
      (target && target.toLowerCase() !== '_self') ||
      action.origin !== location.origin ||
      !/^\s*utf-8\b/i.test(charset) ||
      (post && enctype === 'text/plain') ||
      optedOut(form) ||
      ownedByAnotherLibrary(form, submitter)
    ) {
      return null;
    }
    const formData = formDataOf(form, submitter);
    return {form, submitter, post, action, formData, multipart: enctype === 'multipart/form-data'};
  }

  function onSubmit(event) {
    let submission;
    try {
      submission = readSubmission(event);
    } catch {
      return; // the browser submits as if this script were not here
    }
    if (!submission) return;
    event.preventDefault();
    if (submission.post) runAction(submission);
    else startSearch(submission);
  }

  /* ------------------------------------------------------- build the request */

  function formDataOf(form, submitter) {
    const data = new FormData(form, submitter);
    // Engines that ignore the submitter argument leave its name=value out: add it last.
    if (!formDataTakesSubmitter && submitter?.name) data.append(submitter.name, submitter.value);
    return data;
  }

  // URL-encoded bodies and queries carry a file's name, as a browser sends it (a string
  // has no name).
  const urlEncoded = (formData) =>
    new URLSearchParams([...formData].map(([name, value]) => [name, value.name ?? value]));

  function startSearch({form, action, formData}) {
    action.search = '?' + urlEncoded(formData); // a fresh URL: ours to change
    navigate(action, {
      replaceState: routerOption(form, 'replacestate'),
      keepFocus: routerOption(form, 'keepfocus'),
      noScroll: routerOption(form, 'noscroll'),
    });
  }

  /* ------------------------------------------------------------------- send */

  // enhance:submit listeners may change the request in `detail`, or cancel it.
  async function runAction({form, submitter, action, formData, multipart}) {
    let cancelled = false;
    const detail = {
      action,
      formData,
      formElement: form,
      submitter,
      controller: new AbortController(),
      cancel: () => (cancelled = true),
    };
    if (!emit(form, 'submit', detail) || cancelled) return;
    const {controller} = detail;
    const previous = submissions.get(form);
    if (previous) {
      previous.controller.abort(); // the newer submit replaces it
      setBusy(form, previous.submitter, false);
    }
    const current = {controller, submitter};
    submissions.set(form, current);
    setBusy(form, submitter, true);
    const stopProgress = startProgress();
    let result;
    try {
      const body = multipart ? detail.formData : urlEncoded(detail.formData);
      result = await post(new URL(detail.action), body, controller.signal, form);
    } catch {
      if (controller.signal.aborted) return;
      result = errorResult(0, 'Network error');
    } finally {
      stopProgress();
      if (submissions.get(form) === current) {
        submissions.delete(form);
        setBusy(form, submitter, false);
      }
    }
    handleResult(form, submitter, result);
  }

  // aria-disabled rather than disabled: the button keeps its focus and stays reachable.
  function setBusy(form, submitter, busy) {
    const mark = (el, name) => (busy ? el.setAttribute(name, 'true') : el.removeAttribute(name));
    mark(form, 'aria-busy');
    if (submitter) mark(submitter, 'aria-disabled');
  }

  const ACTION_HEADERS = {accept: 'application/json', 'x-sveltekit-action': 'true'};

  // Sends an action request; resolves to its ActionResult.
  function post(url, body, signal, form) {
    const uploads =
      body instanceof FormData && [...body.values()].some((v) => v.size > 0); // a string has no size
    if (uploads) return postWithProgress(url, body, signal, form);
    return fetch(url, {method: 'POST', headers: ACTION_HEADERS, body, signal, cache: 'no-store'}).then(
      async (res) => readResult(res, (name) => res.headers.get(name), await res.text()),
    );
  }

  // Uploads go through XHR, the only API that reports upload progress.
  function postWithProgress(url, body, signal, form) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      for (const name in ACTION_HEADERS) xhr.setRequestHeader(name, ACTION_HEADERS[name]);
      xhr.upload.onprogress = (e) => emit(form, 'progress', {loaded: e.loaded, total: e.total});
      xhr.onload = () => resolve(readResult(xhr, (name) => xhr.getResponseHeader(name), xhr.responseText));
      xhr.onerror = xhr.onabort = reject;
      signal.addEventListener('abort', () => xhr.abort());
      if (signal.aborted) reject(); // a submit listener aborted it already
      else xhr.send(body);
    });
  }

  /* --------------------------------------------------------- read the result */

  const RESULT_TYPES = ['success', 'failure', 'redirect', 'error'];

  const errorResult = (status, message) => ({type: 'error', status, error: {message}});

  // The gateway answers every action request with an ActionResult in JSON; anything else
  // is an error to show. `reply` is a Response or an XHR, `header` reads its headers.
  function readResult(reply, header, text) {
    expectedNonce = cspNonce(header('content-security-policy'));
    let result;
    try {
      result = /^application\/json/i.test(header('content-type')) && deserialize(text);
    } catch {}
    if (!RESULT_TYPES.includes(result?.type)) return errorResult(reply.status, reply.statusText);
    // An error's status is the HTTP status; the JSON has none.
    if (result.type === 'error') result.status = reply.status;
    return result;
  }

  // JSON with its `data` decoded from devalue: what SvelteKit's deserialize gives.
  function deserialize(text) {
    const result = JSON.parse(text);
    if (typeof result.data === 'string') result.data = parseDevalue(result.data);
    return result;
  }

  // devalue: slot 0 is the root; objects and arrays hold slot indices; negative indices are
  // special values; an array starting with a type name is a typed value; -7 starts a
  // sparse array [-7, length, index, slot, ...].
  function parseDevalue(text) {
    const slots = JSON.parse(text);
    if (typeof slots === 'number') return special(slots);
    const done = []; // slot → value, set before children are read: cycles are allowed

    function hydrate(index) {
      if (index < 0) return special(index);
      if (index in done) return done[index];
      const v = slots[index];
      const keep = (value) => (done[index] = value);
      // Containers are kept before their members are read: a member may point back.
      // put(container, key, member) for each [key, slot] pair from v[from] on.
      const fill = (container, from, put) => {
        keep(container);
        for (let i = from; i < v.length; i += 2) put(container, v[i], hydrate(v[i + 1]));
        return container;
      };
      if (!v || typeof v !== 'object') return keep(v);
      if (!Array.isArray(v)) {
        const object = keep({});
        for (const key in v) setOwn(object, key, hydrate(v[key]));
        return object;
      }
      const [type, a, b] = v;
      switch (type) {
        case 'Date':
          return keep(new Date(a));
        case 'BigInt':
          return keep(BigInt(a));
        case 'RegExp':
          return keep(new RegExp(a, b));
        case 'URL':
          return keep(new URL(a));
        case 'URLSearchParams':
          return keep(new URLSearchParams(a));
        case 'Object':
          return keep(Object(hydrate(a)));
        case 'Set': {
          const set = keep(new Set());
          for (const slot of v.slice(1)) set.add(hydrate(slot));
          return set;
        }
        case 'Map':
          return fill(new Map(), 1, (map, key, member) => map.set(hydrate(key), member));
        case 'null':
          return fill(Object.create(null), 1, setOwn);
        case -7:
          return fill(new Array(a), 2, setOwn);
      }
      if (typeof type === 'string') throw new Error('devalue type ' + type);
      const array = keep(new Array(v.length));
      v.forEach((slot, i) => slot !== -2 && (array[i] = hydrate(slot))); // -2: a hole
      return array;
    }

    return hydrate(0);
  }

  // -1 undefined, (-2 a hole, only inside arrays), -3 NaN, -4 Infinity, -5 -Infinity, -6 -0;
  // the holes read as undefined.
  const SPECIALS = [, , NaN, Infinity, -Infinity, -0];
  const special = (index) => SPECIALS[-1 - index];

  // A key "__proto__" must become data, not the object's prototype.
  function setOwn(object, key, value) {
    Object.defineProperty(object, key, {value, writable: true, enumerable: true, configurable: true});
  }

  // The nonce a reply's CSP expects on scripts, if it names one.
  function cspNonce(policy) {
    return /(?:^|[;,])\s*(?:script-src(?:-elem)?|default-src)\s[^;,]*?'nonce-([\w+/=-]+)'/i.exec(policy)?.[1];
  }

  // The text of an HTML reply, or null when it is not UTF-8 (fetch decoded it as UTF-8): a
  // page in another charset would leave this document posting UTF-8 to a backend that
  // expects that charset.
  function utf8Text(text, type) {
    const charset = /charset=["']?([\w-]+)/i.exec(type + text.slice(0, 1024)); // header, else <meta>
    return charset && !/^utf-?8$/i.test(charset[1]) ? null : text;
  }

  const parseHTML = (html) => new DOMParser().parseFromString(html, 'text/html');

  const checkable = (el) => /^(checkbox|radio)$/.test(el.type);

  const isPage = (data) => typeof data?.body === 'string' && typeof data === 'object';

  /* --------------------------------------------------------- apply the result */

  async function handleResult(form, submitter, result) {
    let updating;
    const detail = {
      result,
      formElement: form,
      submitter,
      update: (options) => (updating ||= update(form, result, options)),
    };
    try {
      if (emit(form, 'result', detail)) await detail.update();
    } catch {
      showError(form, 0);
    }
  }

  // The default behaviour after a result; `form` is null for applyAction.
  async function update(form, result, {reset = true} = {}) {
    const {type, data, status} = result;
    if (type === 'error') return showError(form, status, result.error?.message);
    if (type === 'redirect' || type === 'success') {
      // A redirect leads to a fresh page, where nothing typed survives, also when that page
      // is the form's own: a morph alone would keep the typed values.
      if (form && reset) HTMLFormElement.prototype.reset.call(form);
      if (type === 'redirect') return goto(result.location);
      if (isPage(data)) showPage(data);
      else await invalidateAll(); // nothing to show: fetch the page again, as SvelteKit does
      return resetFocus(location);
    }
    if (!isPage(data)) return showError(form, status, data?.message);
    // A failure: the page comes back re-rendered and what the user typed stays.
    const values = form && readFields(form);
    const position = [...document.forms].indexOf(form);
    showPage(data);
    const target = form && (form.isConnected ? form : document.getElementById(form.getAttribute('id')) || document.forms[position]);
    if (target) writeFields(target, values);
    if (!focusInvalid(target || document)) resetFocus(location);
  }

  function applyAction(result) {
    return update(null, result); // no form: nothing to reset
  }

  function showPage(page) {
    const doc = parseHTML('<!doctype html><body>' + page.body);
    if (typeof page.title === 'string') doc.title = page.title;
    const attributes = page.bodyAttributes;
    if (attributes) {
      for (const [name, value] of Array.isArray(attributes) ? attributes : Object.entries(attributes)) {
        doc.body.setAttribute(name, value);
      }
    }
    swap(doc, !!attributes);
  }

  function swap(doc, withBodyAttributes) {
    if (doc.querySelector('title')) document.title = doc.title;
    if (withBodyAttributes) morphAttributes(document.body, doc.body);
    morphChildren(document.body, doc.body);
    swapped = true;
    emit(document, 'load');
  }

  /* morph: turn the live children of `from` into those of `to`, keeping every node that can
   * stay. A kept node keeps focus, caret, scroll offsets and listeners; nodes are never
   * moved, because moving a focused element blurs it. */
  function morphChildren(from, to) {
    let cursor = from.firstChild;
    for (const node of [...to.childNodes]) {
      const match = findMatch(cursor, node);
      if (match) {
        while (cursor !== match) cursor = removeAndNext(cursor);
        morphNode(match, node);
        cursor = match.nextSibling;
      } else {
        from.insertBefore(adopt(node), cursor);
      }
    }
    while (cursor) cursor = removeAndNext(cursor);
  }

  function removeAndNext(node) {
    const next = node.nextSibling;
    node.remove();
    return next;
  }

  // Text and comments match only in place; an element may match further on, so a removed
  // message before an input does not cost the input.
  function findMatch(cursor, node) {
    if (node.nodeType !== 1) return cursor?.nodeType === node.nodeType ? cursor : null;
    for (let el = cursor; el; el = el.nextSibling) if (sameElement(el, node)) return el;
    return null;
  }

  function sameElement(old, node) {
    const same = (name) => old.getAttribute(name) === node.getAttribute(name);
    if (old.nodeType !== 1 || old.tagName !== node.tagName || !same('id')) return false;
    switch (old.tagName) {
      case 'SCRIPT': // a script that differs is a new script to run
        return same('src') && old.text === node.text;
      case 'INPUT':
        return old.type === node.type && old.name === node.name;
      case 'SELECT':
      case 'TEXTAREA':
        return old.name === node.name;
    }
    return true;
  }

  function morphNode(old, node) {
    if (old.nodeType !== 1) {
      if (old.nodeValue !== node.nodeValue) old.nodeValue = node.nodeValue;
      return;
    }
    if (old.hasAttribute('data-enhance-permanent') || old.isEqualNode(node)) return;
    const before = defaults(old);
    morphAttributes(old, node);
    if (old.tagName === 'TEMPLATE') old.innerHTML = node.innerHTML;
    else if (old.tagName === 'TEXTAREA') old.defaultValue = node.defaultValue;
    else morphChildren(old, node);
    // The server changed this control's default: it wins over what was typed.
    if (defaults(old) !== before) resetControl(old);
  }

  function morphAttributes(old, node) {
    // A nonce is never copied: browsers hide it, and setting it changes nothing.
    for (const {name} of [...old.attributes]) {
      if (name !== 'nonce' && !node.hasAttribute(name)) old.removeAttribute(name);
    }
    for (const {name, value} of node.attributes) {
      if (name !== 'nonce' && old.getAttribute(name) !== value) old.setAttribute(name, value);
    }
  }

  // What the markup says a control holds, to notice when the server changes it.
  function defaults(el) {
    switch (el.tagName) {
      case 'INPUT':
        return el.getAttribute('value') + el.defaultChecked; // ends in true or false: no collisions
      case 'TEXTAREA':
        return el.defaultValue;
      case 'SELECT':
        return [...el.options].map((o) => +o.defaultSelected).join('');
    }
    return null;
  }

  function resetControl(el) {
    if (el.tagName === 'SELECT') for (const o of el.options) o.selected = o.defaultSelected;
    else if (checkable(el)) el.checked = el.defaultChecked;
    else if (el.type !== 'file') setValue(el, el.defaultValue);
  }

  // Sets a value without losing the caret of the field being typed in.
  // Input types without a selection (email, number, ...) give null or throw: try both steps.
  function setValue(el, value) {
    if (el.value === value) return;
    let range;
    try {
      range = el === document.activeElement && [el.selectionStart, el.selectionEnd, el.selectionDirection];
    } catch {}
    el.value = value;
    try {
      if (range[0] != null) el.setSelectionRange(...range); // no range: range[0] throws or is undefined
    } catch {}
  }

  // A node from another document, in a fragment of this one (appending adopts it), with its
  // scripts made runnable: scripts that DOMParser created are inert forever, so each becomes
  // a fresh element. Nothing runs until the fragment's content is inserted into the page.
  function adopt(node) {
    const fragment = document.createDocumentFragment();
    fragment.append(node);
    for (const script of fragment.querySelectorAll('script')) script.replaceWith(runnableScript(script));
    return fragment;
  }

  function runnableScript(inert) {
    const script = document.createElement('script');
    morphAttributes(script, inert); // every attribute but the nonce
    // Under a nonce CSP the page's nonce is ours; only scripts the reply marked as its own
    // (with the nonce its CSP names, when that is known) get it.
    const nonce = inert.getAttribute('nonce');
    if (ownNonce && nonce != null && (!expectedNonce || nonce === expectedNonce)) script.nonce = ownNonce;
    script.async = inert.hasAttribute('async'); // inserted scripts are async unless told: keep order
    script.text = inert.text;
    return script;
  }

  /* The submitted form's values across a re-render. A key is name + position among the
   * fields of that name, or name + value for checkboxes and radios. */
  function eachField(form, visit) {
    const counts = {};
    for (const el of formElements(form)) {
      const {name} = el;
      if (!name || !/^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) || /^(submit|reset|button|image)$/.test(el.type)) {
        continue;
      }
      const place = checkable(el) ? '=' + el.value : '#' + (counts[name] = (counts[name] || 0) + 1);
      visit(el, name + '\n' + place);
    }
  }

  function readFields(form) {
    const values = new Map();
    eachField(form, (el, key) =>
      values.set(key, el.tagName === 'SELECT' ? [...el.selectedOptions].map((o) => o.value) : checkable(el) ? el.checked : el.value),
    );
    return values;
  }

  // Secrets, files and server tokens take the server's value; the rest what was typed.
  function writeFields(form, values) {
    eachField(form, (el, key) => {
      if (/^(password|hidden|file)$/.test(el.type) || SERVER_OWNED_NAME.test(el.name)) {
        if (el.type !== 'hidden') setValue(el, el.type === 'file' ? '' : el.defaultValue);
      } else if (values.has(key)) {
        const value = values.get(key);
        if (el.tagName === 'SELECT') for (const o of el.options) o.selected = value.includes(o.value);
        else if (typeof value === 'boolean') el.checked = value;
        else setValue(el, value);
      }
    });
  }

  // Focuses the first field marked invalid and returns it, if there is one.
  function focusInvalid(root) {
    const field = root.querySelector('[aria-invalid="true"],:is(input,select,textarea):invalid');
    field?.focus();
    return field;
  }

  // After a new page: its [autofocus] element, else the element the URL's #id names, else
  // the body, so the next Tab starts from the top as after a page load.
  function resetFocus(url) {
    const autofocus = document.body.querySelector('[autofocus]');
    if (autofocus) return autofocus.focus();
    focusTemporarily(hashTarget(url) || document.body);
  }

  function focusTemporarily(el) {
    if (el.tabIndex < 0 && !el.hasAttribute('tabindex')) {
      el.setAttribute('tabindex', '-1');
      el.addEventListener('blur', () => el.removeAttribute('tabindex'), {once: true});
    }
    el.focus({preventScroll: true});
  }

  // The element a URL's fragment names (url is a URL or location), if any.
  function hashTarget(url) {
    try {
      return document.getElementById(decodeURIComponent(url.hash.slice(1))); // "" finds nothing
    } catch {} // a malformed escape names nothing
  }

  // An error view at the top of the form; the form and its values stay as they are.
  function showError(form, status, message) {
    const region = form || document.body;
    region.querySelector(':scope>[data-enhance-error]')?.remove();
    // The parser closes the button and the view where the markup ends.
    region.insertAdjacentHTML(
      'afterbegin',
      '<div role=alert class=enhance-error data-enhance-error><p></p><button type=button>Dismiss',
    );
    const view = region.firstChild;
    view.firstChild.textContent = (status ? `Error ${status}: ` : '') + ((typeof message === 'string' && message) || 'Something went wrong.');
    view.lastChild.onclick = () => {
      view.remove();
      region.querySelector('input,select,textarea,button')?.focus();
    };
  }

  let bar;
  let pending = 0;

  // A slim bar at the top of the viewport once a request takes a while; returns its stop,
  // which is called exactly once.
  function startProgress() {
    pending++;
    const timer = setTimeout(showBar, PROGRESS_DELAY);
    return () => {
      clearTimeout(timer);
      if (!--pending) {
        bar?.remove();
        bar = null;
      }
    };
  }

  function showBar() {
    if (bar) return;
    bar = document.createElement('div');
    bar.className = 'enhance-progress';
    // Set through the CSSOM, which a CSP without 'unsafe-inline' styles still allows.
    bar.style.cssText =
      'position:fixed;z-index:9999;top:0;left:0;width:5%;height:3px;background:#29d;transition:width 9s ease-out';
    // Outside <body>, so morphing the body leaves it alone.
    document.documentElement.append(bar);
    bar.getBoundingClientRect(); // commit the start width so the transition runs
    bar.style.width = '90%';
  }

  /* --------------------------------------------------------------- navigation */

  // Fetches a page and shows it in place. `again`: the page of the current entry is fetched
  // again (popstate and invalidation), bypassing the HTTP cache; the URL is already right,
  // so history is left alone. Anything unexpected becomes a normal browser navigation.
  async function navigate(url, {replaceState, noScroll, keepFocus, scroll, again}) {
    navigation?.abort();
    const controller = (navigation = new AbortController());
    const stopProgress = startProgress();
    // replacing the current entry by its own URL reloads it: right for popstate and invalidation
    const fallBack = () => location[replaceState || again ? 'replace' : 'assign'](url);
    try {
      const res = await fetch(url, {
        headers: {accept: 'text/html'},
        signal: controller.signal,
        cache: again ? 'no-cache' : 'default',
      });
      if (res.status === 204) return; // a browser stays where it is too
      const type = res.headers.get('content-type');
      const landed = new URL(res.url || url);
      const html =
        /^text\/html/i.test(type) && landed.origin === location.origin && utf8Text(await res.text(), type);
      if (controller !== navigation) return;
      if (typeof html !== 'string') {
        controller.abort();
        return fallBack();
      }
      // fetch drops the fragment; a redirect without one keeps the original, as browsers do
      if (!landed.hash) landed.hash = url.hash;
      if (!again) {
        saveScroll();
        const replace = replaceState || landed.href === location.href;
        history[replace ? 'replaceState' : 'pushState']({enhance: {x: 0, y: 0}}, '', landed);
      }
      shownURL = landed.href;
      expectedNonce = cspNonce(res.headers.get('content-security-policy'));
      swap(parseHTML(html), true);
      if (scroll) scrollTo(scroll.x, scroll.y);
      else if (!noScroll) {
        const target = hashTarget(landed);
        if (target) target.scrollIntoView();
        else scrollTo(0, 0);
      }
      if (!keepFocus) resetFocus(landed);
    } catch {
      if (!controller.signal.aborted) fallBack();
    } finally {
      stopProgress();
      if (navigation === controller) navigation = null;
    }
  }

  // Navigates within this origin on the client, elsewhere as the browser does.
  async function goto(href, {replaceState, noScroll, keepFocus} = {}) {
    const url = new URL(href, location.href);
    if (url.origin !== location.origin) return location.assign(url);
    return navigate(url, {replaceState, noScroll, keepFocus});
  }

  function invalidateAll() {
    return navigate(new URL(location.href), {again: true, noScroll: true, keepFocus: true});
  }

  // Keep the scroll position in the current entry, for popstate to restore.
  function saveScroll() {
    const state = history.state;
    if (typeof state !== 'object') return; // someone else's state (null is an object): leave it
    history.replaceState({...state, enhance: {x: scrollX, y: scrollY}}, '');
  }

  const withoutHash = (href) => href.split('#')[0];

  function onPopState(event) {
    // A fragment jump within the shown page is the browser's; so is every entry while the
    // page still shows what the browser loaded.
    if (!swapped || withoutHash(location.href) === withoutHash(shownURL)) {
      shownURL = location.href;
      return;
    }
    // The entry's snapshot may be stale: fetch the page again.
    navigate(new URL(location.href), {again: true, scroll: event.state?.enhance});
  }

  let scrollTimer;
  function onScroll() {
    clearTimeout(scrollTimer);
    scrollTimer = setTimeout(() => swapped && saveScroll(), 200);
  }

  /* -------------------------------------------------------------------- hooks */

  try {
    document.addEventListener('submit', onSubmit); // bubble phase: inline onsubmit runs first
    addEventListener('popstate', onPopState);
    addEventListener('scroll', onScroll, {passive: true});
    window.enhance = {applyAction, deserialize, goto, invalidateAll, version: VERSION};
    // Lets a page style itself for enhanced forms (html[data-enhanced]), without JavaScript of its own.
    document.documentElement.setAttribute('data-enhanced', '');
  } catch {
    document.removeEventListener('submit', onSubmit); // half set up is worse than not at all
  }
})();
