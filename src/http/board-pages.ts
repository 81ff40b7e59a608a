import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { BoardSignIn } from '../app/ports';
import { setSessionCookie, type BoardHttpSettings } from './board-auth-routes';

/** public/board: the nearest one up from here (src/http under tsx, dist/http compiled, dist-bench/src/http for benches). */
const PUBLIC = [2, 3, 4].map((up) => path.resolve(__dirname, ...Array<string>(up).fill('..'), 'public', 'board')).find((dir) => existsSync(dir)) ?? '';

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The board's static files: its stylesheet and scripts, and Chart.js from its package. Read once, served with a type. */
function assets(): Map<string, { type: string; body: Buffer }> {
  const typeOf = (file: string) => (file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const file of ['board.css', 'board.js', 'team.js', 'risks.js', 'lead.js', 'nudges.js'])
    files.set(file, { type: typeOf(file), body: readFileSync(path.join(PUBLIC, file)) });
  files.set('chart.umd.js', { type: typeOf('chart.umd.js'), body: readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js')) });
  return files;
}

/** A board page: the shell every page shares (header, sign-out), the page's own markup and its script. */
export function pageShell(title: string, body: string, scripts: string[]): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · 跟进看板</title>
<link rel="stylesheet" href="/board/assets/board.css">
</head>
<body>
<header class="top"><nav aria-label="看板"><a href="/board">团队</a><a href="/board/risks">风险</a><a href="/board/nudges">提醒效果</a></nav><form method="post" action="/auth/logout" id="logout"><button type="submit" class="secondary">退出登录</button></form></header>
${body}
${scripts.map((s) => `<script src="/board/assets/${esc(s)}"></script>`).join('\n')}
</body>
</html>`;
}

/** Pages need a session: without one, to WeCom's sign-in and back here. */
export function pageSession(auth: BoardSignIn, settings: BoardHttpSettings): Middleware {
  return async (ctx, next) => {
    const session = await auth.session(ctx.cookies.get('wf_session'));
    // The page as asked for, with its query (a filter), encoded once: sign-in sends the member back to exactly it.
    if (!session) return ctx.redirect(`/auth/login?next=${encodeURIComponent(ctx.originalUrl)}`);
    setSessionCookie(ctx, session.id, settings);
    await next();
  };
}

/**
 * The board's pages (server-rendered shells; their data comes from /api/board/*, so nothing about a lead is in a URL
 * beyond its id): 客户 at /board/leads/:id. Static files under /board/assets.
 */
export function mountBoardPages(router: Router, deps: { auth: BoardSignIn; timeZone: string; settings: BoardHttpSettings }): void {
  const files = assets();
  router.get('/board/assets/:file', (ctx: Context) => {
    const f = files.get(ctx.params.file ?? '');
    if (!f) {
      ctx.status = 404;
      return;
    }
    ctx.type = f.type;
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = f.body;
  });
  router.get('/board', pageSession(deps.auth, deps.settings), (ctx) => {
    ctx.type = 'html';
    ctx.body = pageShell(
      '团队',
      `<main aria-busy="true">
<h1>团队</h1>
<p>每位销售是否按方法跟进：定位、每周亲自打电话、把客户拉进会议和群。点表头排序，点名字看他的风险客户。</p>
<p id="status" class="status" role="status" aria-live="polite"></p>
<div class="scroll"><table id="team"><caption class="visually-hidden">团队跟进情况</caption><thead><tr></tr></thead><tbody></tbody></table></div>
<p id="risk-explained" class="note"></p>
</main>`,
      ['board.js', 'team.js'],
    );
  });

  router.get('/board/risks', pageSession(deps.auth, deps.settings), (ctx) => {
    ctx.type = 'html';
    const option = (v: string, label: string) => `<option value="${esc(v)}">${esc(label)}</option>`;
    ctx.body = pageShell(
      '风险',
      `<main aria-busy="true">
<h1>风险客户</h1>
<form method="get" action="/board/risks" class="filters">
<label for="f-rep">销售</label><select id="f-rep" name="rep">${option('', '全部')}</select>
<label for="f-state">定位</label><select id="f-state" name="state">${option('', '全部')}${option('unknown', '未定位')}${option('exploring', '观望')}${option('price_check', '比价')}${option('benchmarking', '陪跑')}</select>
<label for="f-chip">风险</label><select id="f-chip" name="chip">${option('', '全部')}${option('unpositioned', '未定位')}${option('quiet', '沉默')}${option('no_call_this_week', '本周未打电话')}${option('proposal_no_meeting', '要方案未约会')}${option('single_threaded', '单线联系')}${option('decision_passed', '决策日已过')}${option('decision_slipped', '决策日推迟')}${option('nudges_ignored', '忽略提醒')}</select>
<button type="submit">筛选</button>
</form>
<p id="status" class="status" role="status" aria-live="polite"></p>
<ol id="risks" class="risks"></ol>
</main>`,
      ['board.js', 'risks.js'],
    );
  });

  router.get('/board/nudges', pageSession(deps.auth, deps.settings), (ctx) => {
    ctx.type = 'html';
    const head = `<thead><tr><th scope="col">提醒</th><th scope="col">发出</th><th scope="col">72 小时内处理</th><th scope="col">7 天内打电话、开会或拉群</th><th scope="col">忽略</th></tr></thead>`;
    ctx.body = pageShell(
      '提醒效果',
      `<main aria-busy="true">
<h1>提醒效果</h1>
<p>近 30 天发出的提醒：销售有没有在 72 小时内处理，7 天内有没有真的打电话、开会或拉群，还是被忽略了（72 小时没有处理）。</p>
<p id="status" class="status" role="status" aria-live="polite"></p>
<h2 id="h-all">全部</h2>
<div class="scroll"><table id="by-kind" aria-labelledby="h-all">${head}<tbody></tbody></table></div>
<h2>每位销售</h2>
<div id="by-rep"></div>
</main>`,
      ['board.js', 'nudges.js'],
    );
  });

  router.get('/board/leads/:id', pageSession(deps.auth, deps.settings), (ctx) => {
    const id = ctx.params.id ?? '';
    ctx.type = 'html';
    ctx.body = pageShell(
      '客户',
      `<main data-lead-id="${esc(id)}" data-tz="${esc(deps.timeZone)}" aria-busy="true">
<h1 id="name">加载中…</h1>
<dl class="facts" id="facts"></dl>
<section id="actions" class="actions" hidden aria-label="经理操作">
<button type="button" id="remind">提醒他</button>
<button type="button" id="take" class="secondary">我来跟</button>
</section>
<p id="status" class="status" role="status" aria-live="polite"></p>
<h2>占用客户的时间（近 12 周）</h2>
<div class="chart"><canvas id="mindshare" role="img" aria-label="每周电话、会议、群聊分钟数和客户主动次数，数据见下表"></canvas></div>
<table id="mindshare-table" class="visually-hidden"><caption>每周占用客户的时间</caption><thead><tr><th scope="col">周</th><th scope="col">电话分钟</th><th scope="col">会议分钟</th><th scope="col">群聊分钟</th><th scope="col">客户主动</th></tr></thead><tbody></tbody></table>
<div class="columns">
<section aria-labelledby="h-customer"><h2 id="h-customer">客户这边</h2><ol class="timeline" id="customer-side"></ol></section>
<section aria-labelledby="h-ours"><h2 id="h-ours">我们这边</h2><ol class="timeline" id="our-side"></ol></section>
</div>
<h2>提醒和结果</h2>
<table id="nudges"><thead><tr><th scope="col">发出</th><th scope="col">提醒</th><th scope="col">结果</th><th scope="col">怎么处理的</th></tr></thead><tbody></tbody></table>
</main>`,
      ['board.js', 'chart.umd.js', 'lead.js'],
    );
  });
}
