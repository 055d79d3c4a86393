// Starts GraphiQL against this server: queries and mutations by POST /graphql, subscriptions
// over graphql-transport-ws on the same path. The headers typed in GraphiQL's headers editor
// (for example {"Authorization": "Bearer …"}) go with every request, and as the connection's
// init payload for subscriptions. Everything the page loads comes from this server.
(function () {
  'use strict';
  var endpoint = new URL('/graphql', window.location.href).href;
  var socketEndpoint = endpoint.replace(/^http/, 'ws');
  var sockets = {};

  // One WebSocket client per set of headers: the token is given once, at connection_init.
  function socketFor(headers) {
    var key = JSON.stringify(headers || {});
    if (!sockets[key]) {
      sockets[key] = graphqlWs.createClient({
        url: socketEndpoint,
        connectionParams: headers || {},
        lazy: true,
      });
    }
    return sockets[key];
  }

  // Whether the operation to run is a subscription. GraphiQL's parsed document can lag behind
  // the editor by a keystroke: it is used only when it is the text being sent.
  function isSubscription(params, options) {
    var document = options && options.documentAST;
    if (document && document.loc && document.loc.source.body === params.query) {
      var chosen = document.definitions.find(function (definition) {
        return definition.kind === 'OperationDefinition' &&
          (!params.operationName || (definition.name && definition.name.value === params.operationName));
      });
      return Boolean(chosen) && chosen.operation === 'subscription';
    }
    var text = (params.query || '').replace(/#[^\n]*/g, '');
    if (params.operationName) {
      return new RegExp('\\bsubscription\\s+' + params.operationName + '\\b').test(text);
    }
    return /^\s*subscription\b/.test(text);
  }

  function fetcher(params, options) {
    var headers = (options && options.headers) || {};
    if (isSubscription(params, options)) {
      return {
        subscribe: function (observer) {
          var dispose = socketFor(headers).subscribe(params, {
            next: function (value) { observer.next(value); },
            error: function (error) { observer.error(error); },
            complete: function () { observer.complete(); },
          });
          return { unsubscribe: dispose };
        },
      };
    }
    return fetch(endpoint, {
      method: 'POST',
      headers: Object.assign({ 'content-type': 'application/json', accept: 'application/json' }, headers),
      body: JSON.stringify(params),
    }).then(function (response) { return response.json(); });
  }

  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false,
    }),
  );
})();
