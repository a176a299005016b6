// The console's one Alpine component. Every call goes from the browser to provisioning's public API with the
// account's own Basic credentials, kept in sessionStorage only (gone when the tab closes).
document.addEventListener('alpine:init', () => {
  Alpine.data('psipConsole', () => ({
    apiUrl: null,
    apiKey: sessionStorage.getItem('psip.apiKey'),
    secret: sessionStorage.getItem('psip.apiSecret'),
    page: 'applications',
    pageError: null,
    form: { key: '', secret: '' },
    problem: null,
    forms: { application: null, domain: null, user: null, number: null },
    applications: [],
    domains: [],
    numbers: [],
    users: [],
    usersOf: null,
    privateKey: null,
    appForm: { id: null, name: '', answerUrl: '', eventUrl: '' },
    domainForm: { name: '', applicationId: '', acl: '' },
    userForm: { key: '', secret: '' },
    numberForm: { number: '', applicationId: '' },

    get signedIn() { return this.apiKey !== null && this.secret !== null; },

    async init() {
      try {
        this.apiUrl = (await (await fetch('config.json')).json()).api_url;
      } catch (e) {
        this.pageError = 'The console could not read its config.json: ' + e.message;
        return;
      }
      if (this.signedIn) await this.show(this.page);
    },

    // fetch with the account's credentials; a failure throws the API's RFC 7807 problem (or one made up for a
    // network error, which the browser reports without a body)
    async api(method, path, body, key = this.apiKey, secret = this.secret) {
      const headers = { Authorization: 'Basic ' + btoa(key + ':' + secret), Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      let response;
      try {
        response = await fetch(this.apiUrl + path,
          // credentials travel in the header only: no cookies, and no browser sign-in prompt on a 401
          { method, headers, credentials: 'omit', body: body === undefined ? undefined : JSON.stringify(body) });
      } catch (e) {
        throw { title: 'The API at ' + this.apiUrl + ' could not be reached', detail: e.message };
      }
      const text = await response.text();
      const json = text ? JSON.parse(text) : null;
      if (!response.ok) throw json || { title: 'HTTP ' + response.status };
      return json;
    },

    problemText(problem) {
      if (!problem) return '';
      return problem.detail ? problem.title + ': ' + problem.detail : problem.title;
    },

    async signIn() {
      this.problem = null;
      try {
        await this.api('GET', '/v2/applications?page_size=1', undefined, this.form.key, this.form.secret);
      } catch (problem) {
        this.problem = problem;
        return;
      }
      sessionStorage.setItem('psip.apiKey', this.form.key);
      sessionStorage.setItem('psip.apiSecret', this.form.secret);
      this.apiKey = this.form.key;
      this.secret = this.form.secret;
      this.form = { key: '', secret: '' };
      await this.show('applications');
    },

    signOut() {
      sessionStorage.removeItem('psip.apiKey');
      sessionStorage.removeItem('psip.apiSecret');
      this.apiKey = null;
      this.secret = null;
    },

    async show(page) {
      this.page = page;
      this.pageError = null;
      try {
        // domains and numbers pick an application, so every page knows the applications
        this.applications = (await this.api('GET', '/v2/applications?page_size=100'))._embedded.applications;
        if (page === 'domains') this.domains = (await this.api('GET', '/v1/psip?page_size=100'))._embedded.domains;
        if (page === 'numbers') this.numbers = (await this.api('GET', '/v1/numbers?page_size=100'))._embedded.numbers;
      } catch (problem) {
        this.pageError = this.problemText(problem);
      }
    },

    // runs a form's request; its problem, if any, is shown on that form
    async submit(form, request) {
      this.forms[form] = null;
      try {
        return await request();
      } catch (problem) {
        this.forms[form] = problem;
        return null;
      }
    },

    webhook(app, name) {
      const hook = app.capabilities && app.capabilities.voice && app.capabilities.voice.webhooks[name];
      return hook ? hook.address : '';
    },

    editApplication(app) {
      this.privateKey = null;
      this.forms.application = null;
      this.appForm = { id: app.id, name: app.name, answerUrl: this.webhook(app, 'answer_url'),
        eventUrl: this.webhook(app, 'event_url') };
    },

    resetApplicationForm() {
      this.appForm = { id: null, name: '', answerUrl: '', eventUrl: '' };
    },

    async saveApplication() {
      const body = { name: this.appForm.name, capabilities: { voice: { webhooks: {
        answer_url: { address: this.appForm.answerUrl, http_method: 'GET' },
        event_url: { address: this.appForm.eventUrl, http_method: 'POST' } } } } };
      const id = this.appForm.id;
      const saved = await this.submit('application', () =>
        id ? this.api('PUT', '/v2/applications/' + encodeURIComponent(id), body) : this.api('POST', '/v2/applications', body));
      if (!saved) return;
      this.privateKey = id ? null : (saved.keys && saved.keys.private_key) || null;
      this.resetApplicationForm();
      await this.show('applications');
    },

    async createDomain() {
      const body = { name: this.domainForm.name, application_id: this.domainForm.applicationId,
        acl: this.domainForm.acl.split(',').map(s => s.trim()).filter(s => s) };
      if (await this.submit('domain', () => this.api('POST', '/v1/psip', body))) {
        this.domainForm = { name: '', applicationId: '', acl: '' };
        await this.show('domains');
      }
    },

    async openUsers(domain) {
      this.usersOf = domain;
      this.forms.user = null;
      try {
        this.users = (await this.api('GET', '/v1/psip/' + encodeURIComponent(domain) + '/users?page_size=100'))._embedded.users;
      } catch (problem) {
        this.pageError = this.problemText(problem);
      }
    },

    async addUser() {
      const body = { key: this.userForm.key, secret: this.userForm.secret };
      if (await this.submit('user', () => this.api('POST', '/v1/psip/' + encodeURIComponent(this.usersOf) + '/users', body))) {
        this.userForm = { key: '', secret: '' };
        await this.openUsers(this.usersOf);
      }
    },

    async linkNumber() {
      const body = { number: this.numberForm.number, application_id: this.numberForm.applicationId };
      if (await this.submit('number', () => this.api('POST', '/v1/numbers', body))) {
        this.numberForm = { number: '', applicationId: '' };
        await this.show('numbers');
      }
    },
  }));
});
