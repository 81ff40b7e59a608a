/**
 * The WeCom client, as far as a sidebar page sees it: its user agent (`wxwork/…`) and its JS bridge
 * (`window.WeixinJSBridge`, which @wecom/jssdk calls). Served by the sandbox only (GET /sandbox/client-bridge.js), to
 * try the sidebar in a desktop browser and to test it; never by the product. Like the client it checks the page's
 * agentConfig signature against the sandbox's own tickets (POST /sandbox/client/verify) — a wrong one fails as
 * `agentConfig:fail invalid signature` — then answers getContext, getCurExternalContact, getCurExternalChat and
 * openEnterpriseChat (which creates the group in the sandbox, POST /sandbox/client/open-chat).
 */

/** Which chat the stand-in client is in, and how it misbehaves when a test asks it to. */
export interface ClientContext {
  /** 'none': not the WeCom client at all (no bridge, an ordinary browser). */
  entry: 'single_chat_tools' | 'group_chat_tools' | 'normal' | 'none';
  userId: string;
  externalUserId?: string;
  chatId?: string;
  /** The member lacks 客户联系: the contact and chat calls fail as the client's do. */
  noPermission?: boolean;
  /** The client never answers (as @wecom/jssdk hangs outside it, or in a stuck client). */
  silent?: boolean;
  /** An old client: the contact and chat calls do not exist. */
  old?: boolean;
}

/** The bridge's source, for one context, talking back to the sandbox at `sandboxUrl`. */
export function clientBridgeScript(sandboxUrl: string, ctx: ClientContext): string {
  if (ctx.entry === 'none') return '/* not in the WeCom client */\n';
  return `(function () {
  'use strict';
  var CTX = ${JSON.stringify(ctx)};
  var SANDBOX = ${JSON.stringify(sandboxUrl)};
  var ua = navigator.userAgent + ' wxwork/4.1.30';
  Object.defineProperty(Navigator.prototype, 'userAgent', { get: function () { return ua; }, configurable: true });
  var configured = false;
  function post(path, body) {
    // text/plain: a simple request, no preflight.
    return fetch(SANDBOX + path, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) }).then(function (r) { return r.json(); });
  }
  window.WeixinJSBridge = {
    on: function () {},
    invoke: function (name, params, cb) {
      if (CTX.silent) return;
      var reply = function (r) { setTimeout(function () { cb(r); }, 0); };
      if (name === 'agentConfig' || name === 'preVerify' || name === 'config') {
        post('/sandbox/client/verify', {
          kind: name === 'agentConfig' ? 'agent' : 'corp',
          url: location.href.split('#')[0],
          corpid: params.corpid || params.appId,
          agentid: params.agentid,
          nonceStr: params.nonceStr,
          timestamp: Number(params.timestamp),
          signature: params.signature
        }).then(function (v) {
          configured = configured || v.ok;
          reply({ err_msg: name + (v.ok ? ':ok' : ':fail invalid signature') });
        }, function () { reply({ err_msg: name + ':fail network error' }); });
        return;
      }
      if (!configured) return reply({ err_msg: name + ':fail no permission to execute' });
      if (CTX.old && name !== 'getContext') return reply({ err_msg: name + ':fail not support' });
      switch (name) {
        case 'getContext':
          return reply({ err_msg: 'getContext:ok', entry: CTX.entry });
        case 'getCurExternalContact':
          if (CTX.noPermission) return reply({ err_msg: 'getCurExternalContact:fail no permission' });
          if (CTX.entry !== 'single_chat_tools') return reply({ err_msg: 'getCurExternalContact:fail without context of external contact' });
          return reply({ err_msg: 'getCurExternalContact:ok', userId: CTX.externalUserId });
        case 'getCurExternalChat':
          if (CTX.noPermission) return reply({ err_msg: 'getCurExternalChat:fail no permission' });
          if (CTX.entry !== 'group_chat_tools') return reply({ err_msg: 'getCurExternalChat:fail without context of external chat' });
          return reply({ err_msg: 'getCurExternalChat:ok', chatId: CTX.chatId });
        case 'openEnterpriseChat':
          return post('/sandbox/client/open-chat', { owner: CTX.userId, userIds: params.userIds, externalUserIds: params.externalUserIds, groupName: params.groupName }).then(
            function (v) { reply(v.chatId ? { err_msg: 'openEnterpriseChat:ok', chatId: v.chatId } : { err_msg: 'openEnterpriseChat:fail ' + (v.message || '') }); },
            function () { reply({ err_msg: 'openEnterpriseChat:fail network error' }); }
          );
        default:
          return reply({ err_msg: name + ':fail not support' });
      }
    }
  };
})();
`;
}
