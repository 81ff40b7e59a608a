import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import type { BoardSignIn, SidebarAction, SidebarUseCases } from '../app/ports';
import type { BoardHttpSettings, BoardState } from './board-auth-routes';
import { esc, pageSession } from './board-pages';
import { boardLeadView } from './board-routes';
import { readJsonBody } from './json-body';

/** public/sidebar: found up from here as public/board is (src/http, dist/http, dist-bench/src/http). */
const PUBLIC = [2, 3, 4].map((up) => path.resolve(__dirname, ...Array<string>(up).fill('..'), 'public', 'sidebar')).find((dir) => existsSync(dir)) ?? '';

/** The sidebar's static files, and @wecom/jssdk's browser build from its package (no CDN, no inline script). */
function assets(): Map<string, { type: string; body: Buffer }> {
  const js = 'text/javascript; charset=utf-8';
  const files = new Map<string, { type: string; body: Buffer }>();
  files.set('sidebar.js', { type: js, body: readFileSync(path.join(PUBLIC, 'sidebar.js')) });
  files.set('sidebar.css', { type: 'text/css; charset=utf-8', body: readFileSync(path.join(PUBLIC, 'sidebar.css')) });
  const jssdk = path.join(path.dirname(require.resolve('@wecom/jssdk')), 'wecom.global.prod.js');
  files.set('wecom.js', { type: js, body: readFileSync(existsSync(jssdk) ? jssdk : path.join(path.dirname(jssdk), 'wecom.global.js')) });
  return files;
}

const state = z.enum(['exploring', 'price_check', 'benchmarking']);
const actionSchema: z.ZodType<SidebarAction> = z.discriminatedUnion('action', [
  z.object({ action: z.literal('call'), minutes: z.number().int().min(1).max(600), note: z.string().max(300).optional() }),
  z.object({ action: z.literal('position'), state }),
  z.object({ action: z.literal('confirm_state'), state: z.union([state, z.literal('none')]) }),
  z.object({ action: z.literal('meeting'), startsAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'YYYY-MM-DDTHH:mm, business time') }),
  z.object({ action: z.literal('group') }),
  z.object({ action: z.literal('snooze'), days: z.number().int().min(1).max(30) }),
  z.object({ action: z.literal('won'), reason: z.string().max(200).optional() }),
  z.object({ action: z.literal('lost'), reason: z.string().max(200).optional() }),
]);

/** The idempotency key of a tap: the page's Idempotency-Key, else the minute (a double tap does it once). */
const keyOf = (ctx: Context, now: number) => {
  const k = ctx.get('idempotency-key');
  return /^[A-Za-z0-9_-]{8,64}$/.test(k) ? k : `m${Math.floor(now / 60_000)}`;
};

const ID = /^[A-Za-z0-9_@.-]{1,128}$/;

/**
 * The chat sidebar (聊天工具栏): GET /sidebar (the page, signed in through WeCom like the board), its assets, and its
 * JSON — GET /api/sidebar/signatures?url= (ww.register's config and agentConfig signatures, for this origin's pages
 * only), GET /api/sidebar/contacts/:id and /chats/:id, POST /api/sidebar/contacts/:id/adopt and
 * /api/sidebar/leads/:id/actions — behind the board's session guard (its Origin check and CSRF token).
 */
export function mountSidebarRoutes(
  router: Router,
  deps: {
    auth: BoardSignIn;
    session: Middleware;
    sidebar: SidebarUseCases;
    settings: BoardHttpSettings;
    /** ww.register's corpId and agentId (the self-built app's). */
    app: { corpId: string; agentId: number };
    timeZone: string;
    now: () => number;
    bridgeScript?: string;
  },
): void {
  const files = assets();
  const rep = (ctx: Context) => (ctx.state.board as BoardState).viewer.userId;
  const fail = (ctx: Context, status: number, error: string, message: string) => {
    ctx.status = status;
    ctx.body = { error, message };
  };

  router.get('/sidebar/assets/:file', (ctx) => {
    const f = files.get(ctx.params.file ?? '');
    if (!f) return void (ctx.status = 404);
    ctx.type = f.type;
    ctx.body = f.body;
  });

  router.get('/sidebar', pageSession(deps.auth, deps.settings), (ctx) => {
    ctx.type = 'html';
    ctx.body = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>客户跟进</title>
<link rel="stylesheet" href="/sidebar/assets/sidebar.css">
</head>
<body>
<main id="sidebar" aria-busy="true" data-corp-id="${esc(deps.app.corpId)}" data-agent-id="${esc(String(deps.app.agentId))}" data-tz="${esc(deps.timeZone)}">
<p id="status" class="status" role="status" aria-live="polite">正在读取当前聊天…</p>
<div id="result" class="result" role="status" aria-live="polite"></div>
<div id="view"></div>
</main>
${deps.bridgeScript ? `<script src="${esc(deps.bridgeScript)}"></script>\n` : ''}<script src="/board/assets/board.js"></script>
<script src="/sidebar/assets/wecom.js"></script>
<script src="/sidebar/assets/sidebar.js"></script>
</body>
</html>`;
  });

  router.get('/api/sidebar/signatures', deps.session, async (ctx) => {
    const url = typeof ctx.query.url === 'string' ? ctx.query.url : '';
    // Only this origin's sidebar pages are signed: the tickets are not a signing service for anyone else.
    if (!url.startsWith(`${deps.settings.publicUrl}/sidebar`)) return fail(ctx, 400, 'URL_FORBIDDEN', '只能为本站的侧边栏页面签名');
    ctx.body = await deps.sidebar.signatures(url);
  });

  router.get('/api/sidebar/contacts/:id', deps.session, async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!ID.test(id)) return fail(ctx, 400, 'BAD_ID', '客户 ID 不对');
    const c = await deps.sidebar.contact(rep(ctx), id);
    if (c.kind !== 'lead') return void (ctx.body = c);
    const { page, ...rest } = c;
    ctx.body = {
      ...rest,
      ...boardLeadView(page, { offset: 0, limit: 10 }),
      openNudge: c.openNudge && { ...c.openNudge, sentAt: new Date(c.openNudge.sentAt).toISOString() },
    };
  });

  router.get('/api/sidebar/chats/:id', deps.session, async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!ID.test(id)) return fail(ctx, 400, 'BAD_ID', '群 ID 不对');
    const chat = await deps.sidebar.chat(rep(ctx), id);
    if (!chat) return fail(ctx, 404, 'NOT_FOUND', '这个群还没有记到任何客户名下');
    ctx.body = chat;
  });

  router.post('/api/sidebar/contacts/:id/adopt', deps.session, async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!ID.test(id)) return fail(ctx, 400, 'BAD_ID', '客户 ID 不对');
    const lead = await deps.sidebar.adopt(rep(ctx), id, keyOf(ctx, deps.now()));
    if (lead === 'not_your_customer') return fail(ctx, 403, 'NOT_YOUR_CUSTOMER', '这位客户不在你的企业微信客户列表里');
    ctx.status = 201;
    ctx.body = { id: lead.id };
  });

  router.post('/api/sidebar/leads/:id/actions', deps.session, async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!ID.test(id)) return fail(ctx, 400, 'BAD_ID', '客户 ID 不对');
    const body = await readJsonBody(ctx, 4096);
    if (!body.ok) return fail(ctx, body.status, body.error, body.message);
    const parsed = actionSchema.safeParse(body.value);
    if (!parsed.success) return fail(ctx, 400, 'BAD_ACTION', parsed.error.issues.map((i) => i.message).join('; '));
    const r = await deps.sidebar.act(rep(ctx), id, parsed.data, keyOf(ctx, deps.now()));
    if (!r.ok) {
      const [status, message] =
        r.error === 'NOT_FOUND' ? [404, '没有这个客户'] : r.error === 'FORBIDDEN' ? [403, '这位客户不归你跟进'] : [400, '会议时间要在现在之后'];
      return fail(ctx, status, r.error, message);
    }
    ctx.body = { action: r.action, text: r.text, ...(r.link ? { link: r.link } : {}) };
  });
}
