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
  const ownNonce = document.currentScript?.nonce || '';

  // Older engines ignore FormData's second argument instead of failing: probe it once.
  const formDataTakesSubmitter = (() => {
    try {
      const form = document.createElement('form');
      const button = document.createElement('button');
      button.name = 'probe';
      form.append(button);
      return new FormData(form, button).has('probe');
    } catch {
      return false;
    }
  })();

  const submissions = new WeakMap(); // form → the submission in flight {controller, submitter}
  let navigation = null; // AbortController of the navigation in flight
  let swapped = false; // the page no longer shows what the browser loaded
  let shownURL = location.href; // the URL whose content is on screen
  let expectedNonce = ''; // nonce the current reply's CSP gives its scripts, when known

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

  // A data-sveltekit-* router option on the form or an ancestor; "false" turns off an
  // option set further up.
  function routerOption(form, name) {
    const value = inherited(form, 'data-sveltekit-' + name);
    return value != null && value !== 'false';
  }

  function optedOut(form) {
    return inherited(form, 'data-enhance') === 'false' || routerOption(form, 'reload');
  }

  // Forms that Turbo, Rails UJS or htmx submit themselves.
  function ownedByAnotherLibrary(form, submitter) {
    const turbo = inherited(form, 'data-turbo');
    if (turbo != null ? turbo !== 'false' : window.Turbo) return true;
    const remote = form.getAttribute('data-remote');
    if (remote != null && remote !== 'false') return true;
    const htmx = (el) => !!el && [...el.attributes].some((a) => /^(data-)?hx-/.test(a.name));
    return htmx(form) || htmx(submitter) || !!form.closest('[hx-boost="true"],[data-hx-boost="true"]');
  }

  // What a submit event asks for, or null when the browser should handle it.
  function readSubmission(event) {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return null;
    // Without event.submitter the clicked button's name=value would be lost.
    if (!('submitter' in event)) return null;
    const submitter = event.submitter;
    const attr = (name) => {
      const own = submitter && submitter.getAttribute('form' + name);
      return own != null ? own : form.getAttribute(name);
    };
    const method = (attr('method') || '').toLowerCase();
    if (method === 'dialog') return null;
    let target = attr('target');
    if (target == null) target = document.querySelector('base[target]')?.getAttribute('target') || '';
    if (target && target.toLowerCase() !== '_self') return null;
    const action = new URL(attr('action') || location.href, document.baseURI);
    if (action.origin !== location.origin) return null;
    const enctype = (attr('enctype') || '').toLowerCase();
    // Browsers encode form data in the page's charset; ours would always be UTF-8.
    const charset = form.getAttribute('accept-charset') || document.characterSet;
    if (!/^\s*utf-8\b/i.test(charset)) return null;
    if (optedOut(form) || ownedByAnotherLibrary(form, submitter)) return null;
    const post = method === 'post';
    if (post && enctype === 'text/plain') return null;
    return {form, submitter, post, action, multipart: enctype === 'multipart/form-data'};
  }

  function onSubmit(event) {
    let submission;
    try {
      submission = readSubmission(event);
      if (!submission) return;
      submission.formData = formDataOf(submission.form, submission.submitter);
    } catch {
      return; // the browser submits as if this script were not here
    }
    if (submission.post) startAction(event, submission);
    else startSearch(event, submission);
  }

  /* ------------------------------------------------------- build the request */

  function formDataOf(form, submitter) {
    if (formDataTakesSubmitter || !submitter) return new FormData(form, submitter);
    const data = new FormData(form);
    if (submitter.name) data.append(submitter.name, submitter.value);
    return data;
  }

  // URL-encoded bodies and queries carry a file's name, as a browser sends it.
  const textEntries = (formData) =>
    [...formData].map(([name, value]) => [name, typeof value === 'string' ? value : value.name]);

  function startSearch(event, {form, action, formData}) {
    const url = new URL(action);
    url.search = '?' + new URLSearchParams(textEntries(formData));
    event.preventDefault();
    navigate(url, {
      history: routerOption(form, 'replacestate') ? 'replace' : 'push',
      keepFocus: routerOption(form, 'keepfocus'),
      noScroll: routerOption(form, 'noscroll'),
    });
  }

  function startAction(event, submission) {
    const {form, submitter, action, formData} = submission;
    let cancelled = false;
    const detail = {
      action,
      formData,
      formElement: form,
      submitter,
      controller: new AbortController(),
      cancel: () => (cancelled = true),
    };
    const proceed = emit(form, 'submit', detail);
    event.preventDefault();
    if (proceed && !cancelled) runAction(submission, detail);
  }

  /* ------------------------------------------------------------------- send */

  async function runAction(submission, detail) {
    const {form, submitter, multipart} = submission;
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
      const body = multipart ? detail.formData : new URLSearchParams(textEntries(detail.formData));
      result = readResult(await post(new URL(detail.action), body, controller.signal, form));
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
    try {
      await handleResult(form, submitter, result);
    } catch {
      showError(form, 0);
    }
  }

  // aria-disabled rather than disabled: the button keeps its focus and stays reachable.
  function setBusy(form, submitter, busy) {
    const mark = (el, name) => (busy ? el.setAttribute(name, 'true') : el.removeAttribute(name));
    mark(form, 'aria-busy');
    if (submitter) mark(submitter, 'aria-disabled');
  }

  const ACTION_HEADERS = {accept: 'application/json', 'x-sveltekit-action': 'true'};

  // A reply is {status, statusText, type, csp, text}, whichever API fetched it.
  function post(url, body, signal, form) {
    const uploads =
      body instanceof FormData && [...body.values()].some((v) => v instanceof File && v.size > 0);
    if (uploads) return postWithProgress(url, body, signal, form);
    return fetch(url, {method: 'POST', headers: ACTION_HEADERS, body, signal, cache: 'no-store'}).then(
      async (res) => replyOf(res, (name) => res.headers.get(name), await res.text()),
    );
  }

  const replyOf = (res, header, text) => ({
    status: res.status,
    statusText: res.statusText,
    type: header('content-type') || '',
    csp: header('content-security-policy'),
    text,
  });

  // Uploads go through XHR, the only API that reports upload progress.
  function postWithProgress(url, body, signal, form) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      for (const name in ACTION_HEADERS) xhr.setRequestHeader(name, ACTION_HEADERS[name]);
      xhr.upload.onprogress = (e) => emit(form, 'progress', {loaded: e.loaded, total: e.total});
      xhr.onload = () => resolve(replyOf(xhr, (name) => xhr.getResponseHeader(name), xhr.responseText));
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
  // is an error to show.
  function readResult(reply) {
    expectedNonce = cspNonce(reply.csp);
    let result;
    try {
      result = /^application\/json/i.test(reply.type) && deserialize(reply.text);
    } catch {}
    if (!result || !RESULT_TYPES.includes(result.type)) {
      return errorResult(reply.status, reply.statusText);
    }
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
    const done = new Map(); // slot → value, set before children are read: cycles are allowed

    function hydrate(index) {
      if (index < 0) return special(index);
      if (done.has(index)) return done.get(index);
      const v = slots[index];
      const keep = (value) => (done.set(index, value), value);
      if (!v || typeof v !== 'object') return keep(v);
      if (!Array.isArray(v)) {
        const object = keep({});
        for (const key in v) setOwn(object, key, hydrate(v[key]));
        return object;
      }
      const [type, a, b] = v;
      if (Object.hasOwn(VALUE_TYPES, type)) return keep(VALUE_TYPES[type](a, b));
      // Containers are kept before their members are read: a member may point back.
      let container;
      switch (type) {
        case 'Object':
          return keep(Object(hydrate(a)));
        case 'Set':
          container = keep(new Set());
          for (let i = 1; i < v.length; i++) container.add(hydrate(v[i]));
          return container;
        case 'Map':
          container = keep(new Map());
          for (let i = 1; i < v.length; i += 2) container.set(hydrate(v[i]), hydrate(v[i + 1]));
          return container;
        case 'null':
          container = keep(Object.create(null));
          for (let i = 1; i < v.length; i += 2) container[v[i]] = hydrate(v[i + 1]);
          return container;
      }
      if (typeof type === 'string') throw new Error('devalue type ' + type);
      const sparse = type === -7;
      const array = keep(new Array(sparse ? a : v.length));
      if (sparse) for (let i = 2; i < v.length; i += 2) array[v[i]] = hydrate(v[i + 1]);
      else v.forEach((slot, i) => slot !== -2 && (array[i] = hydrate(slot))); // -2: a hole
      return array;
    }

    return hydrate(0);
  }

  // Typed values written as [type, text, text?].
  const VALUE_TYPES = {
    Date: (iso) => new Date(iso),
    BigInt: (digits) => BigInt(digits),
    RegExp: (source, flags) => new RegExp(source, flags),
    URL: (href) => new URL(href),
    URLSearchParams: (query) => new URLSearchParams(query),
  };

  // -1 undefined, (-2 a hole, only inside arrays), -3 NaN, -4 Infinity, -5 -Infinity, -6 -0
  const SPECIALS = [undefined, undefined, NaN, Infinity, -Infinity, -0];
  const special = (index) => SPECIALS[-1 - index];

  // A key "__proto__" must become data, not the object's prototype.
  function setOwn(object, key, value) {
    Object.defineProperty(object, key, {value, writable: true, enumerable: true, configurable: true});
  }

  // The nonce a reply's CSP expects on scripts, "" when it names none.
  function cspNonce(policy) {
    const match = /(?:^|[;,])\s*(?:script-src(?:-elem)?|default-src)\s[^;,]*?'nonce-([\w+/=-]+)'/i.exec(policy || '');
    return match ? match[1] : '';
  }

  // The text of an HTML reply, or null when it is not UTF-8 (fetch decoded it as UTF-8): a
  // page in another charset would leave this document posting UTF-8 to a backend that
  // expects that charset.
  function utf8Text(text, type) {
    const charset = /charset=["']?([\w-]+)/i.exec(type + text.slice(0, 1024)); // header, else <meta>
    return charset && !/^utf-?8$/i.test(charset[1]) ? null : text;
  }

  const parseHTML = (html) => new DOMParser().parseFromString(html, 'text/html');

  const checkable = (el) => el.type === 'checkbox' || el.type === 'radio';

  const isPage = (data) => !!data && typeof data === 'object' && typeof data.body === 'string';

  /* --------------------------------------------------------- apply the result */

  async function handleResult(form, submitter, result) {
    let updating = null;
    const detail = {
      result,
      formElement: form,
      submitter,
      update: (options) => (updating = updating || update(form, result, options)),
    };
    if (emit(form, 'result', detail)) await detail.update();
  }

  // The default behaviour after a result; `form` is null for applyAction.
  async function update(form, result, {reset = true} = {}) {
    const {type, data, status} = result;
    if (type === 'redirect') {
      // The backend sent the browser on to a fresh page, where nothing typed survives, also
      // when that page is the form's own: a morph alone would keep the typed values.
      if (form && reset) HTMLFormElement.prototype.reset.call(form);
      return goto(result.location);
    }
    if (type === 'error') return showError(form, status, result.error?.message);
    if (type === 'success') {
      if (form && reset) HTMLFormElement.prototype.reset.call(form);
      if (isPage(data)) showPage(data);
      else await invalidateAll(); // nothing to show: fetch the page again, as SvelteKit does
      return resetFocus(location);
    }
    if (!isPage(data)) {
      return showError(form, status, data?.message);
    }
    // A failure: the page comes back re-rendered and what the user typed stays.
    const values = form && readFields(form);
    const position = [...document.forms].indexOf(form);
    showPage(data);
    const target = form && (form.isConnected ? form : document.getElementById(form.getAttribute('id')) || document.forms[position]);
    if (target && values) writeFields(target, values);
    if (!focusInvalid(target || document)) resetFocus(location);
  }

  function applyAction(result) {
    return update(null, result, {reset: false});
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
    if (node.nodeType !== 1) return cursor && cursor.nodeType === node.nodeType ? cursor : null;
    for (let el = cursor; el; el = el.nextSibling) if (sameElement(el, node)) return el;
    return null;
  }

  function sameElement(old, node) {
    if (old.nodeType !== 1 || old.tagName !== node.tagName) return false;
    if (old.getAttribute('id') !== node.getAttribute('id')) return false;
    switch (old.tagName) {
      case 'SCRIPT': // a script that differs is a new script to run
        return old.getAttribute('src') === node.getAttribute('src') && old.text === node.text;
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
        return el.getAttribute('value') + ' ' + el.defaultChecked;
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
  function setValue(el, value) {
    if (el.value === value) return;
    let range = null;
    try {
      if (el === document.activeElement) range = [el.selectionStart, el.selectionEnd, el.selectionDirection];
    } catch {}
    el.value = value;
    try {
      if (range && range[0] != null) el.setSelectionRange(...range);
    } catch {}
  }

  // Nodes from another document, with their scripts made runnable: scripts that DOMParser
  // created are inert forever, so each becomes a fresh element that runs once on insertion.
  function adopt(node) {
    node = document.adoptNode(node);
    if (node.nodeType !== 1) return node;
    if (node.tagName === 'SCRIPT') return runnableScript(node);
    for (const script of node.querySelectorAll('script')) script.replaceWith(runnableScript(script));
    return node;
  }

  function runnableScript(inert) {
    const script = document.createElement('script');
    for (const {name, value} of inert.attributes) if (name !== 'nonce') script.setAttribute(name, value);
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
  function fieldKey(el, counts) {
    const {name, type} = el;
    if (!name || !/^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName) || /^(submit|reset|button|image)$/.test(type)) {
      return null;
    }
    if (checkable(el)) return name + '\n=' + el.value;
    counts[name] = (counts[name] || 0) + 1;
    return name + '\n#' + counts[name];
  }

  function readFields(form) {
    const values = new Map();
    const counts = {};
    for (const el of formElements(form)) {
      const key = fieldKey(el, counts);
      if (!key) continue;
      if (el.tagName === 'SELECT') values.set(key, [...el.selectedOptions].map((o) => o.value));
      else values.set(key, checkable(el) ? el.checked : el.value);
    }
    return values;
  }

  // Secrets, files and server tokens take the server's value; the rest what was typed.
  function writeFields(form, values) {
    const counts = {};
    for (const el of formElements(form)) {
      const key = fieldKey(el, counts);
      if (!key) continue;
      if (/^(password|hidden|file)$/.test(el.type) || SERVER_OWNED_NAME.test(el.name)) {
        if (el.type !== 'hidden') setValue(el, el.type === 'file' ? '' : el.defaultValue);
      } else if (values.has(key)) {
        const value = values.get(key);
        if (el.tagName === 'SELECT') for (const o of el.options) o.selected = value.includes(o.value);
        else if (typeof value === 'boolean') el.checked = value;
        else setValue(el, value);
      }
    }
  }

  function focusInvalid(root) {
    const field = root.querySelector('[aria-invalid="true"],:is(input,select,textarea):invalid');
    if (field) field.focus();
    return !!field;
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

  function hashTarget(url) {
    try {
      const id = decodeURIComponent(new URL(url).hash.slice(1));
      return id ? document.getElementById(id) : null;
    } catch {
      return null;
    }
  }

  // An error view at the top of the form; the form and its values stay as they are.
  function showError(form, status, message) {
    const region = form || document.body;
    region.querySelector(':scope>[data-enhance-error]')?.remove();
    const holder = document.createElement('div');
    holder.innerHTML =
      '<div role=alert class=enhance-error data-enhance-error><p></p><button type=button>Dismiss</button></div>';
    const view = holder.firstChild;
    view.firstChild.textContent = (status ? `Error ${status}: ` : '') + ((typeof message === 'string' && message) || 'Something went wrong.');
    view.lastChild.onclick = () => {
      view.remove();
      region.querySelector('input,select,textarea,button')?.focus();
    };
    region.prepend(view);
  }

  let bar = null;
  let pending = 0;

  // A slim bar at the top of the viewport once a request takes a while; returns its stop.
  function startProgress() {
    pending++;
    const timer = setTimeout(showBar, PROGRESS_DELAY);
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      if (--pending === 0 && bar) {
        bar.remove();
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

  // Fetches a page and shows it in place. history: 'push', 'replace' or null (popstate and
  // invalidation, where the URL is already right). Anything unexpected becomes a normal
  // browser navigation.
  async function navigate(url, {history: mode = 'push', noScroll, keepFocus, scroll, cache} = {}) {
    url = new URL(url, location.href);
    if (navigation) navigation.abort();
    const controller = (navigation = new AbortController());
    const stopProgress = startProgress();
    // replacing the current entry by its own URL reloads it: right for popstate and invalidation
    const fallBack = () => (mode === 'push' ? location.assign(url) : location.replace(url));
    try {
      const res = await fetch(url, {headers: {accept: 'text/html'}, signal: controller.signal, cache});
      if (res.status === 204) return; // a browser stays where it is too
      const type = res.headers.get('content-type') || '';
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
      const doc = parseHTML(html);
      if (mode) {
        saveScroll();
        const replace = mode === 'replace' || landed.href === location.href;
        window.history[replace ? 'replaceState' : 'pushState']({enhance: {x: 0, y: 0}}, '', landed);
      }
      shownURL = landed.href;
      expectedNonce = cspNonce(res.headers.get('content-security-policy'));
      swap(doc, true);
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

  async function goto(href, {replaceState, noScroll, keepFocus} = {}) {
    const url = new URL(href, location.href);
    if (url.origin !== location.origin) return location.assign(url);
    return navigate(url, {history: replaceState ? 'replace' : 'push', noScroll, keepFocus});
  }

  function invalidateAll() {
    return navigate(location.href, {history: null, noScroll: true, keepFocus: true, cache: 'no-cache'});
  }

  // Keep the scroll position in the current entry, for popstate to restore.
  function saveScroll() {
    const state = window.history.state;
    if (state !== null && typeof state !== 'object') return; // someone else's state: leave it
    window.history.replaceState({...state, enhance: {x: scrollX, y: scrollY}}, '');
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
    navigate(location.href, {history: null, scroll: event.state?.enhance, cache: 'no-cache'});
  }

  let scrollTimer = 0;
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
