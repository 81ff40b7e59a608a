/**
 * How reps really write to the bot: 400 messages as they come from a phone — the verb anywhere, names
 * glued to numbers, Chinese numbers, full-width characters, voice-to-text punctuation and homophones, emoji, typos,
 * chit-chat — each with what the bot should do. A message is understood when the parser reads that action, or, where
 * the parser cannot, when the one-question best guess (「是说…吗？回 1 确认」) proposes it. The share understood is
 * printed and held to a floor; README records it; the inputs still not understood are listed here, and the test
 * fails if one of them starts to pass (so the list stays true) or if any other line stops passing.
 */
import { commandText, customerInside, guessCommand, parseCommand, type RepCommand } from '../../src/domain/commands';

// Friday 2026-11-27 10:00 in Shanghai
const NOW = Date.parse('2026-11-27T02:00:00Z');
const TZ = 'Asia/Shanghai';
/** The rep's customers, as the best guess sees them (remarks, names, companies). */
const CUSTOMERS = ['王总', '陈经理', '李部长', '刘总', '张总', '赵姐', '周工', '华为'];

type Expect = {
  cmd: RepCommand['cmd'];
  target?: string;
  minutes?: number;
  outcome?: 'talked' | 'no_answer';
  state?: string;
  days?: number;
  /** A time or date was read (meeting, decision). */
  when?: boolean;
  reason?: string;
};

const TABLE: [string, Expect][] = [
  // ---- calls: command form, in every spelling -----------------------------------------------------------------
  ['电话 王总 20分钟', { cmd: 'call', target: '王总', minutes: 20, outcome: 'talked' }],
  ['打电话给王总 聊了二十分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 王总 二十分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 王总 一个半小时', { cmd: 'call', target: '王总', minutes: 90 }],
  ['电话 王总 两小时', { cmd: 'call', target: '王总', minutes: 120 }],
  ['电话 王总 三十五分钟', { cmd: 'call', target: '王总', minutes: 35 }],
  ['电话王总20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 王总 20min', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 王总 20 mins', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 王总 20分', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 王总 1小时', { cmd: 'call', target: '王总', minutes: 60 }],
  ['电话 王总 1.5小时', { cmd: 'call', target: '王总', minutes: 90 }],
  ['电话 王总 一个小时', { cmd: 'call', target: '王总', minutes: 60 }],
  ['电话 王总 四十分钟', { cmd: 'call', target: '王总', minutes: 40 }],
  ['电话 王总 十分钟', { cmd: 'call', target: '王总', minutes: 10 }],
  ['电话 王总 二十五分钟', { cmd: 'call', target: '王总', minutes: 25 }],
  ['电话 王总 一刻钟', { cmd: 'call', target: '王总', minutes: 15 }],
  ['电话 王总 三刻钟', { cmd: 'call', target: '王总', minutes: 45 }],
  ['电话 王总 半个钟头', { cmd: 'call', target: '王总', minutes: 30 }],
  ['电话 王总 两个钟头', { cmd: 'call', target: '王总', minutes: 120 }],
  ['电话　王总　２０分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 #３ ２０分钟', { cmd: 'call', target: '#3', minutes: 20 }],
  ['电话 #3 20分钟', { cmd: 'call', target: '#3', minutes: 20 }],
  ['电话：王总 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话, 王总, 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话，王总，二十分钟。', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话王总，二十分钟，他说下周三定。', { cmd: 'call', target: '王总', minutes: 20, when: true }],
  ['电话 王总，二十分钟，方案下周三定', { cmd: 'call', target: '王总', minutes: 20, when: true }],
  ['电话 王总 20分钟 他说月底前定', { cmd: 'call', target: '王总', minutes: 20, when: true }],
  ['电话 王总 20分钟 对方说预算下个月批', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 @王总 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['Call 王总 20 min', { cmd: 'call', target: '王总', minutes: 20 }],
  ['call 王总', { cmd: 'call', target: '王总' }],
  ['打电话 王总 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['通话 王总 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话王总', { cmd: 'call', target: '王总', outcome: 'talked' }],
  ['电话 王总', { cmd: 'call', target: '王总', outcome: 'talked' }],
  ['电话 王总 没接通', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  ['电话 王总 未接', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  ['电话 王总 关机', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  ['电话 王总 占线', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  ['电话 王总 没人接', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  ['电话 王总 被挂了', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  // ---- calls: the verb anywhere ----------------------------------------------------------------------------------
  ['打了电话给王总，聊了20分钟', { cmd: 'call', target: '王总', minutes: 20, outcome: 'talked' }],
  ['打了电话给王总 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['打电话给王总了', { cmd: 'call', target: '王总' }],
  ['刚打了个电话给陈经理。', { cmd: 'call', target: '陈经理', outcome: 'talked' }],
  ['给王总打了电话', { cmd: 'call', target: '王总', outcome: 'talked' }],
  ['给王总打了个电话，聊了半个小时', { cmd: 'call', target: '王总', minutes: 30 }],
  ['刚刚给王总打了个电话，聊了大概二十分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['给王总打了个电话，大概聊了半小时吧', { cmd: 'call', target: '王总', minutes: 30 }],
  ['给王总打了电话 1.5小时', { cmd: 'call', target: '王总', minutes: 90 }],
  ['刚给李部长打了个电话，没接', { cmd: 'call', target: '李部长', outcome: 'no_answer' }],
  ['给王总打电话没接', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  ['给王总打了两次都没接', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  ['给王总去了个电话', { cmd: 'call', target: '王总' }],
  ['给王总回了个电话 10分钟', { cmd: 'call', target: '王总', minutes: 10 }],
  ['回了王总电话，10分钟', { cmd: 'call', target: '王总', minutes: 10 }],
  ['跟王总通了20分钟电话', { cmd: 'call', target: '王总', minutes: 20 }],
  ['和刘总通了电话 一刻钟', { cmd: 'call', target: '刘总', minutes: 15 }],
  ['与#2打了一通电话', { cmd: 'call', target: '#2' }],
  ['和王总聊了20分钟电话', { cmd: 'call', target: '王总', minutes: 20 }],
  ['跟陈经理电话沟通了15分钟', { cmd: 'call', target: '陈经理', minutes: 15 }],
  ['和陈经理电话聊了十五分钟', { cmd: 'call', target: '陈经理', minutes: 15 }],
  ['跟王总微信语音聊了20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['跟王总视频了半小时', { cmd: 'call', target: '王总', minutes: 30 }],
  ['打给王总了，聊了10分钟', { cmd: 'call', target: '王总', minutes: 10 }],
  ['刚打给王总 没人接', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  ['王总电话 半小时', { cmd: 'call', target: '王总', minutes: 30 }],
  ['王总 电话 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['王总电话没接通', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  ['王总 通话 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['王总 打了电话 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['王总的电话打了，20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['王总回电话了 聊了5分钟', { cmd: 'call', target: '王总', minutes: 5 }],
  ['王总打过来了 聊了十分钟', { cmd: 'call', target: '王总', minutes: 10 }],
  ['打了电话给王总，聊了20分钟，方案下周三定', { cmd: 'call', target: '王总', minutes: 20, when: true }],
  ['电话 王总 一刻钟 方案下周三定', { cmd: 'call', target: '王总', minutes: 15, when: true }],
  // ---- calls: emoji, voice-to-text, typos ----------------------------------------------------------------------
  ['📞王总 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['📞 王总 半小时', { cmd: 'call', target: '王总', minutes: 30 }],
  ['☎️ 陈经理 十分钟', { cmd: 'call', target: '陈经理', minutes: 10 }],
  ['电话 王总 20分钟 👍', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 王总 20分钟😊', { cmd: 'call', target: '王总', minutes: 20 }],
  ['刚给王总打了电话😄聊得不错，二十分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电化 王总 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['店话 王总 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 王总 20分中', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话王总二十分钟。', { cmd: 'call', target: '王总', minutes: 20 }],
  ['嗯，给王总打了个电话，嗯，聊了二十分钟。', { cmd: 'call', target: '王总', minutes: 20 }],
  ['那个，刚才给陈经理打了电话。', { cmd: 'call', target: '陈经理' }],
  ['给王总打了电话！！聊了20分钟！', { cmd: 'call', target: '王总', minutes: 20 }],
  ['给王总打了电话~20分钟~', { cmd: 'call', target: '王总', minutes: 20 }],
  ['打了电话给王总…聊了二十分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  // ---- buying state ----------------------------------------------------------------------------------------------
  ['定位 王总 比价', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['定位王总比价', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['定位 王总 陪跑', { cmd: 'position', target: '王总', state: 'benchmarking' }],
  ['定位 王总 观望', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位：王总 比价', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['定位，王总，观望。', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 #2 陪跑', { cmd: 'position', target: '#2', state: 'benchmarking' }],
  ['pos 王总 price', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['定位 王总 bench', { cmd: 'position', target: '王总', state: 'benchmarking' }],
  ['定位 陈经理 在比较几家', { cmd: 'position', target: '陈经理', state: 'benchmarking' }],
  ['定位 陈经理 货比三家', { cmd: 'position', target: '陈经理', state: 'benchmarking' }],
  ['定位 陈经理 他们在对比', { cmd: 'position', target: '陈经理', state: 'benchmarking' }],
  ['定位 王总 别家已经出方案了', { cmd: 'position', target: '王总', state: 'benchmarking' }],
  ['定位 王总 已经接触了好几家', { cmd: 'position', target: '王总', state: 'benchmarking' }],
  ['定位 王总 拿我们和友商比', { cmd: 'position', target: '王总', state: 'benchmarking' }],
  ['定位 王总 来看我们的特色', { cmd: 'position', target: '王总', state: 'benchmarking' }],
  ['定位 王总 在招标', { cmd: 'position', target: '王总', state: 'benchmarking' }],
  ['定位 王总 问价', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['定位 王总 比价格', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['定位 王总 出来比价的', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['定位 王总 只是问问价格', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['定位 王总 价格敏感', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['定位 王总 先看看', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 王总 还没定要不要', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 王总 还没想好', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 #1 先了解一下', { cmd: 'position', target: '#1', state: 'exploring' }],
  ['定位 王总 不确定买不买', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 王总 还在考虑', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 王总 随便问问', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 王总 还没预算', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 王总 项目还没立项', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 王总 🤔观望', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定为 王总 比价', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['订位 王总 陪跑', { cmd: 'position', target: '王总', state: 'benchmarking' }],
  ['王总是比价的', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['王总属于陪跑', { cmd: 'position', target: '王总', state: 'benchmarking' }],
  ['陈经理应该是观望', { cmd: 'position', target: '陈经理', state: 'exploring' }],
  ['王总 定位 比价', { cmd: 'position', target: '王总', state: 'price_check' }],
  // ---- meetings --------------------------------------------------------------------------------------------------
  ['会议 王总 明天下午3点', { cmd: 'meeting', target: '王总', when: true }],
  ['会议 王总 周四15:00', { cmd: 'meeting', target: '王总', when: true }],
  ['会议 王总 下周二 下午三点', { cmd: 'meeting', target: '王总', when: true }],
  ['会议王总明天10点', { cmd: 'meeting', target: '王总', when: true }],
  ['会议：王总，明天上午十点', { cmd: 'meeting', target: '王总', when: true }],
  ['会议 王总 12月3日14:00', { cmd: 'meeting', target: '王总', when: true }],
  ['开会 王总 昨天', { cmd: 'meeting', target: '王总', when: true }],
  ['约会议 王总', { cmd: 'meeting', target: '王总' }],
  ['会议 王总', { cmd: 'meeting', target: '王总' }],
  ['约王总明天下午开会', { cmd: 'meeting', target: '王总', when: true }],
  ['约了王总周五上午十点开会', { cmd: 'meeting', target: '王总', when: true }],
  ['跟王总约了周五上午十点的会', { cmd: 'meeting', target: '王总', when: true }],
  ['和王总约个会', { cmd: 'meeting', target: '王总' }],
  ['和王总约个会，下周一下午两点', { cmd: 'meeting', target: '王总', when: true }],
  ['王总 周四下午2点开会', { cmd: 'meeting', target: '王总', when: true }],
  ['明天下午3点和王总开会', { cmd: 'meeting', target: '王总', when: true }],
  ['会以 王总 明天下午3点', { cmd: 'meeting', target: '王总', when: true }],
  ['🗓️ 王总 明天下午3点', { cmd: 'meeting', target: '王总', when: true }],
  ['meeting 王总 tomorrow 3pm', { cmd: 'meeting', target: '王总', when: true }],
  // ---- proposals -------------------------------------------------------------------------------------------------
  ['要方案 王总', { cmd: 'proposal', target: '王总' }],
  ['要报价 王总', { cmd: 'proposal', target: '王总' }],
  ['王总要方案', { cmd: 'proposal', target: '王总' }],
  ['王总要个报价', { cmd: 'proposal', target: '王总' }],
  ['王总要一份建议书', { cmd: 'proposal', target: '王总' }],
  ['王总要份资料', { cmd: 'proposal', target: '王总' }],
  ['王总让我发个方案', { cmd: 'proposal', target: '王总' }],
  ['王总让我出个报价单', { cmd: 'proposal', target: '王总' }],
  ['陈经理想要一份方案', { cmd: 'proposal', target: '陈经理' }],
  ['王总说要看方案', { cmd: 'proposal', target: '王总' }],
  // ---- groups ----------------------------------------------------------------------------------------------------
  ['建群 王总', { cmd: 'group', target: '王总' }],
  ['拉群 王总', { cmd: 'group', target: '王总' }],
  ['建个群 王总', { cmd: 'group', target: '王总' }],
  ['给王总拉个群', { cmd: 'group', target: '王总' }],
  ['给王总建个工作群', { cmd: 'group', target: '王总' }],
  ['王总建群', { cmd: 'group', target: '王总' }],
  ['见群 王总', { cmd: 'group', target: '王总' }],
  // ---- snooze ----------------------------------------------------------------------------------------------------
  ['暂停 王总 3天', { cmd: 'snooze', target: '王总', days: 3 }],
  ['暂停 王总 一周', { cmd: 'snooze', target: '王总', days: 7 }],
  ['暂停 王总 两周', { cmd: 'snooze', target: '王总', days: 14 }],
  ['暂停 王总 五天', { cmd: 'snooze', target: '王总', days: 5 }],
  ['暂停王总10天', { cmd: 'snooze', target: '王总', days: 10 }],
  ['稍后 王总', { cmd: 'snooze', target: '王总', days: 3 }],
  ['王总先别提醒了', { cmd: 'snooze', target: '王总', days: 3 }],
  ['王总这周不用提醒', { cmd: 'snooze', target: '王总', days: 7 }],
  // ---- won, lost, reopen -----------------------------------------------------------------------------------------
  ['赢单 王总', { cmd: 'won', target: '王总' }],
  ['成交 王总', { cmd: 'won', target: '王总' }],
  ['王总签了', { cmd: 'won', target: '王总' }],
  ['王总成交了！🎉', { cmd: 'won', target: '王总' }],
  ['王总下单了', { cmd: 'won', target: '王总' }],
  ['输单 王总 预算不够', { cmd: 'lost', target: '王总', reason: '预算不够' }],
  ['丢单 王总 选了别家', { cmd: 'lost', target: '王总', reason: '选了别家' }],
  ['王总那单丢了', { cmd: 'lost', target: '王总' }],
  ['王总黄了，预算砍了', { cmd: 'lost', target: '王总' }],
  ['王总选了友商', { cmd: 'lost', target: '王总' }],
  ['重开 王总', { cmd: 'reopen', target: '王总' }],
  ['重新跟进 王总', { cmd: 'reopen', target: '王总' }],
  // ---- lists, help, leads, merge ---------------------------------------------------------------------------------
  ['今日', { cmd: 'today' }],
  ['今天', { cmd: 'today' }],
  ['今日！', { cmd: 'today' }],
  ['今天该跟谁', { cmd: 'today' }],
  ['列表', { cmd: 'today' }],
  ['帮助', { cmd: 'help' }],
  ['？', { cmd: 'help' }],
  ['怎么用', { cmd: 'help' }],
  ['菜单', { cmd: 'help' }],
  ['线索 张总 询价单', { cmd: 'lead' }],
  ['新线索 李总 官网', { cmd: 'lead' }],
  ['线索：刘总，门店', { cmd: 'lead' }],
  ['合并 #1 张建国', { cmd: 'merge', target: '#1' }],
  // ---- said to the bot, not a command: the bot answers with a short hint ------------------------------------------
  ['你好', { cmd: 'unknown' }],
  ['谢谢', { cmd: 'unknown' }],
  ['收到', { cmd: 'unknown' }],
  ['在吗', { cmd: 'unknown' }],
  ['👍', { cmd: 'unknown' }],
  ['哈哈哈', { cmd: 'unknown' }],
  ['十分感谢', { cmd: 'unknown' }],
  // ---- not a command, but names a customer: one question with the best guess --------------------------------------
  ['王总那边打过电话了，聊了一刻钟', { cmd: 'call', target: '王总', minutes: 15 }],
  ['刚和陈经理聊完', { cmd: 'call', target: '陈经理' }],
  ['王总 比价', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['李部长那边在比较几家', { cmd: 'position', target: '李部长', state: 'benchmarking' }],
  ['华为那边还在观望', { cmd: 'position', target: '华为', state: 'exploring' }],
  ['跟张总沟通过了 二十分钟', { cmd: 'call', target: '张总', minutes: 20 }],
  ['赵姐那边电话聊过了', { cmd: 'call', target: '赵姐' }],
];

/**
 * Phrasings beyond the first table: 打完电话, 今天上午给…, 给结论, 比个价, 另外两家, 没决定, and their neighbours.
 */
const ROUND_TWO: [string, Expect][] = [
  ['刚跟王总打完电话，十五分钟左右', { cmd: 'call', target: '王总', minutes: 15 }],
  ['王总的电话刚挂，聊了快半小时', { cmd: 'call', target: '王总', minutes: 30 }],
  ['今天上午给陈经理打了电话 他说下周五定', { cmd: 'call', target: '陈经理', when: true }],
  ['陈经理 电话 关机了', { cmd: 'call', target: '陈经理', outcome: 'no_answer' }],
  ['电话李部长 40分钟 月底前给结论', { cmd: 'call', target: '李部长', minutes: 40, when: true }],
  ['和刘总通电话了，半个钟头', { cmd: 'call', target: '刘总', minutes: 30 }],
  ['给周工打电话 没打通', { cmd: 'call', target: '周工', outcome: 'no_answer' }],
  ['打电话给张总，他没接', { cmd: 'call', target: '张总', outcome: 'no_answer' }],
  ['电话 赵姐 8分钟', { cmd: 'call', target: '赵姐', minutes: 8 }],
  ['📞 #4 五分钟', { cmd: 'call', target: '#4', minutes: 5 }],
  ['王总电话聊了一个半小时', { cmd: 'call', target: '王总', minutes: 90 }],
  ['跟李部长语音了十分钟', { cmd: 'call', target: '李部长', minutes: 10 }],
  ['定位 刘总 就是来比个价', { cmd: 'position', target: '刘总', state: 'price_check' }],
  ['定位 周工 他们同时在看另外两家', { cmd: 'position', target: '周工', state: 'benchmarking' }],
  ['定位 张总 还没决定要不要做', { cmd: 'position', target: '张总', state: 'exploring' }],
  ['定位：赵姐，观望。', { cmd: 'position', target: '赵姐', state: 'exploring' }],
  ['刘总属于比价的', { cmd: 'position', target: '刘总', state: 'price_check' }],
  ['张总是陪跑', { cmd: 'position', target: '张总', state: 'benchmarking' }],
  ['会议 刘总 后天上午9点半', { cmd: 'meeting', target: '刘总', when: true }],
  ['约了陈经理下周三下午开会', { cmd: 'meeting', target: '陈经理', when: true }],
  ['跟张总约了明天的会', { cmd: 'meeting', target: '张总', when: true }],
  ['周五上午10点跟李部长开会', { cmd: 'meeting', target: '李部长', when: true }],
  ['开会 赵姐 今天下午', { cmd: 'meeting', target: '赵姐', when: true }],
  ['要方案 周工 要一份技术方案', { cmd: 'proposal', target: '周工' }],
  ['刘总要报价单', { cmd: 'proposal', target: '刘总' }],
  ['陈经理让我写个方案', { cmd: 'proposal', target: '陈经理' }],
  ['给张总拉个工作群', { cmd: 'group', target: '张总' }],
  ['建群 #2', { cmd: 'group', target: '#2' }],
  ['暂停 刘总 一个星期', { cmd: 'snooze', target: '刘总', days: 7 }],
  ['暂停 陈经理 7天', { cmd: 'snooze', target: '陈经理', days: 7 }],
  ['赢单 周工 合同签了', { cmd: 'won', target: '周工' }],
  ['陈经理签单了！', { cmd: 'won', target: '陈经理' }],
  ['输单 赵姐 价格太高', { cmd: 'lost', target: '赵姐' }],
  ['刘总那单输了', { cmd: 'lost', target: '刘总' }],
  ['重开 #1', { cmd: 'reopen', target: '#1' }],
  ['今天的列表', { cmd: 'today' }],
  ['帮助一下', { cmd: 'help' }],
  ['好的谢谢', { cmd: 'unknown' }],
  ['王总那边刚聊完 二十分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['周工那边还在货比三家', { cmd: 'position', target: '周工', state: 'benchmarking' }],
];

/**
 * Rough counts and looser verbs: 二十来分钟, 拨了个电话, 最低价, 两三个厂家, 约了…见面, 要详细方案, 让发份资料, 这单成了, 通完话.
 */
const ROUND_THREE: [string, Expect][] = [
  ['跟王总电话里聊了二十来分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['陈经理电话打通了，聊了十二分钟', { cmd: 'call', target: '陈经理', minutes: 12 }],
  ['下午给刘总拨了个电话 没人接', { cmd: 'call', target: '刘总', outcome: 'no_answer' }],
  ['电话：周工，三十分钟，下周一答复', { cmd: 'call', target: '周工', minutes: 30, when: true }],
  ['给赵姐打了电话，她说下个月底定', { cmd: 'call', target: '赵姐', when: true }],
  ['和张总电话 45分钟', { cmd: 'call', target: '张总', minutes: 45 }],
  ['定位 王总 就想要个最低价', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['定位 陈经理 已经看过两三个厂家了', { cmd: 'position', target: '陈经理', state: 'benchmarking' }],
  ['定位 李部长 领导还没拍板要不要上', { cmd: 'position', target: '李部长', state: 'exploring' }],
  ['定位 #3 观望中', { cmd: 'position', target: '#3', state: 'exploring' }],
  ['赵姐是来问价的', { cmd: 'position', target: '赵姐', state: 'price_check' }],
  ['会议 张总 下周四上午十点半', { cmd: 'meeting', target: '张总', when: true }],
  ['跟周工约了后天下午2点见面', { cmd: 'meeting', target: '周工', when: true }],
  ['约刘总周三开个会', { cmd: 'meeting', target: '刘总', when: true }],
  ['王总要详细方案和报价', { cmd: 'proposal', target: '王总' }],
  ['李部长让发份资料过去', { cmd: 'proposal', target: '李部长' }],
  ['拉群 陈经理', { cmd: 'group', target: '陈经理' }],
  ['暂停 周工 两天', { cmd: 'snooze', target: '周工', days: 2 }],
  ['赵姐这单成了', { cmd: 'won', target: '赵姐' }],
  ['输单 张总 被友商低价抢了', { cmd: 'lost', target: '张总' }],
  ['今日列表', { cmd: 'today' }],
  ['明白了', { cmd: 'unknown' }],
  ['刚和刘总通完话，二十分钟', { cmd: 'call', target: '刘总', minutes: 20 }],
  ['华为那边要方案', { cmd: 'proposal', target: '华为' }],
  ['王总今天回消息了，在比价', { cmd: 'position', target: '王总', state: 'price_check' }],
];

/**
 * Longer notes, proposals, groups and closes: 拨了…的电话, 一个钟, 明年才有预算, 合同签了.
 */
const ROUND_FOUR: [string, Expect][] = [
  ['今天跟王总通了个电话，聊了大半个小时', { cmd: 'call', target: '王总', minutes: 30 }],
  ['刚刚拨了陈经理的电话，占线', { cmd: 'call', target: '陈经理', outcome: 'no_answer' }],
  ['李部长电话沟通 25分钟 说12月10号前定', { cmd: 'call', target: '李部长', minutes: 25, when: true }],
  ['电话 刘总 一个钟', { cmd: 'call', target: '刘总', minutes: 60 }],
  ['晚上和周工微信视频聊了四十分钟', { cmd: 'call', target: '周工', minutes: 40 }],
  ['打电话给赵姐了 没人接听', { cmd: 'call', target: '赵姐', outcome: 'no_answer' }],
  ['定位 张总 纯粹问个价格', { cmd: 'position', target: '张总', state: 'price_check' }],
  ['定位 王总 手上有好几家的方案', { cmd: 'position', target: '王总', state: 'benchmarking' }],
  ['定位 陈经理 明年才有预算，先了解', { cmd: 'position', target: '陈经理', state: 'exploring' }],
  ['李部长应该是来比价的', { cmd: 'position', target: '李部长', state: 'price_check' }],
  ['会议 周工 下下周一上午', { cmd: 'meeting', target: '周工', when: true }],
  ['和赵姐约在周四下午三点线上会议', { cmd: 'meeting', target: '赵姐', when: true }],
  ['约张总明天上午碰个面', { cmd: 'meeting', target: '张总', when: true }],
  ['刘总想看一下方案', { cmd: 'proposal', target: '刘总' }],
  ['王总让出个报价', { cmd: 'proposal', target: '王总' }],
  ['给陈经理建个项目群', { cmd: 'group', target: '陈经理' }],
  ['暂停 李部长 三周', { cmd: 'snooze', target: '李部长', days: 21 }],
  ['周工合同签了', { cmd: 'won', target: '周工' }],
  ['赵姐那边不做了', { cmd: 'lost', target: '赵姐' }],
  ['在不在', { cmd: 'unknown' }],
];

/**
 * Calls, price questions, online meetings and snoozes in free order: 拨了王总电话, 只是问问价格, 线上开个会, 帮我约…, 拉个群给…,
 * 出差了先暂停两周, 微信电话; a name written with words around it (「陈经理只」) is asked about once (「是说「…」吗？回 1 确认」).
 */
const ROUND_FIVE: [string, Expect][] = [
  ['上午给李部长打电话了，大概聊了15分钟', { cmd: 'call', target: '李部长', minutes: 15 }],
  ['和张总通电话二十分钟，他说下周五给答复', { cmd: 'call', target: '张总', minutes: 20, when: true }],
  ['赵姐电话没打通', { cmd: 'call', target: '赵姐', outcome: 'no_answer' }],
  ['拨了王总电话 没人接', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  ['刚跟华为那边电话聊完 大概半小时', { cmd: 'call', target: '华为', minutes: 30 }],
  ['周工来电话了 聊了10分钟', { cmd: 'call', target: '周工', minutes: 10 }],
  ['📞王总 15分钟', { cmd: 'call', target: '王总', minutes: 15 }],
  ['电话 陈经理 四十五分钟', { cmd: 'call', target: '陈经理', minutes: 45 }],
  ['电话 刘总 1个小时 下周二定', { cmd: 'call', target: '刘总', minutes: 60, when: true }],
  ['晚上给刘总去了个电话 十来分钟', { cmd: 'call', target: '刘总', minutes: 10 }],
  ['王总那边电话打过了，二十分钟左右', { cmd: 'call', target: '王总', minutes: 20 }],
  ['和陈经理语音了二十分钟', { cmd: 'call', target: '陈经理', minutes: 20 }],
  ['定位 刘总 货比三家中', { cmd: 'position', target: '刘总', state: 'benchmarking' }],
  ['张总在对比我们和钉钉', { cmd: 'position', target: '张总', state: 'benchmarking' }],
  ['陈经理只是问问价格', { cmd: 'position', target: '陈经理', state: 'price_check' }],
  ['王总目前还在观望', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 赵姐 预算没批下来，先看看', { cmd: 'position', target: '赵姐', state: 'exploring' }],
  ['周工这边是来询价的', { cmd: 'position', target: '周工', state: 'price_check' }],
  ['李部长那边在招标', { cmd: 'position', target: '李部长', state: 'benchmarking' }],
  ['会议 王总 下周二下午2点', { cmd: 'meeting', target: '王总', when: true }],
  ['约了陈经理后天上午十点开会', { cmd: 'meeting', target: '陈经理', when: true }],
  ['和刘总约个会，周四下午', { cmd: 'meeting', target: '刘总', when: true }],
  ['明天上午10点跟张总线上开个会', { cmd: 'meeting', target: '张总', when: true }],
  ['帮我约李部长下周一开会', { cmd: 'meeting', target: '李部长', when: true }],
  ['王总要一份报价单', { cmd: 'proposal', target: '王总' }],
  ['陈经理让我发个方案过去', { cmd: 'proposal', target: '陈经理' }],
  ['要方案 赵姐 她要看案例', { cmd: 'proposal', target: '赵姐' }],
  ['刘总要产品资料', { cmd: 'proposal', target: '刘总' }],
  ['拉个群给周工', { cmd: 'group', target: '周工' }],
  ['建群 华为', { cmd: 'group', target: '华为' }],
  ['给张总建个群吧', { cmd: 'group', target: '张总' }],
  ['陈经理出差了，先暂停两周', { cmd: 'snooze', target: '陈经理', days: 14 }],
  ['刘总这单签了 🎉', { cmd: 'won', target: '刘总' }],
  ['成交 张总', { cmd: 'won', target: '张总' }],
  ['李部长那单黄了，预算砍了', { cmd: 'lost', target: '李部长' }],
  ['周工选了别家', { cmd: 'lost', target: '周工' }],
  ['重开 赵姐', { cmd: 'reopen', target: '赵姐' }],
  ['今天的任务', { cmd: 'today' }],
  ['好的 收到', { cmd: 'unknown' }],
  ['电话 王总 聊得不错 他们月底前定', { cmd: 'call', target: '王总', when: true }],
  ['赵姐微信电话聊了半小时', { cmd: 'call', target: '赵姐', minutes: 30 }],
  ['跟周工打了个电话，关机', { cmd: 'call', target: '周工', outcome: 'no_answer' }],
  ['刚给陈经理回了个电话 5分钟', { cmd: 'call', target: '陈经理', minutes: 5 }],
  ['线索 孙总 官网', { cmd: 'lead' }],
];

/**
 * Rivals, price, callbacks and groups: 别的厂商, 想问个价, 回我电话, 打给…两次, 华为要建群, 说今年不做了.
 */
const ROUND_SIX: [string, Expect][] = [
  ['跟王总打完电话了，十五分钟，他们下个月初定', { cmd: 'call', target: '王总', minutes: 15, when: true }],
  ['陈经理回我电话了 聊了一会', { cmd: 'call', target: '陈经理' }],
  ['今天打给李部长两次都没接', { cmd: 'call', target: '李部长', outcome: 'no_answer' }],
  ['电话：张总，半小时，说还要跟老板汇报', { cmd: 'call', target: '张总', minutes: 30 }],
  ['赵姐 通话25分钟', { cmd: 'call', target: '赵姐', minutes: 25 }],
  ['给华为那边的对接人打了电话 十分钟', { cmd: 'call', target: '华为', minutes: 10 }],
  ['call 刘总 30min 下周一给结论', { cmd: 'call', target: '刘总', minutes: 30, when: true }],
  ['周工 电话 没接', { cmd: 'call', target: '周工', outcome: 'no_answer' }],
  ['嗯 那个 给王总打了个电话 嗯 二十分钟吧', { cmd: 'call', target: '王总', minutes: 20 }],
  ['定位 周工 他们也在看别的厂商', { cmd: 'position', target: '周工', state: 'benchmarking' }],
  ['刘总就是想问个价', { cmd: 'position', target: '刘总', state: 'price_check' }],
  ['张总那边暂时不急，先观望', { cmd: 'position', target: '张总', state: 'exploring' }],
  ['陈经理在做选型，拉了三家', { cmd: 'position', target: '陈经理', state: 'benchmarking' }],
  ['定位 王总 询价', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['约赵姐下周三下午两点视频会议', { cmd: 'meeting', target: '赵姐', when: true }],
  ['会议 刘总 12月3号 上午10点', { cmd: 'meeting', target: '刘总', when: true }],
  ['和周工约了明天下午见面聊', { cmd: 'meeting', target: '周工', when: true }],
  ['后天上午九点半跟陈经理开会', { cmd: 'meeting', target: '陈经理', when: true }],
  ['李部长要个方案，说下周要', { cmd: 'proposal', target: '李部长' }],
  ['张总让我把报价发他', { cmd: 'proposal', target: '张总' }],
  ['给赵姐拉个群，把他们技术也拉进来', { cmd: 'group', target: '赵姐' }],
  ['华为要建群', { cmd: 'group', target: '华为' }],
  ['王总这周别提醒了', { cmd: 'snooze', target: '王总', days: 7 }],
  ['暂停 周工 10天', { cmd: 'snooze', target: '周工', days: 10 }],
  ['张总那边签约了！', { cmd: 'won', target: '张总' }],
  ['陈经理说今年不做了', { cmd: 'lost', target: '陈经理' }],
  ['输单 刘总 价格太高', { cmd: 'lost', target: '刘总' }],
  ['重新跟进 李部长', { cmd: 'reopen', target: '李部长' }],
  ['哈哈好的', { cmd: 'unknown' }],
  ['王总 📞 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['李部长电话打了一个小时', { cmd: 'call', target: '李部长', minutes: 60 }],
];

/**
 * Decisions, meetings and dates as said: 出结果, 电话了赵姐, 下周给答复, 跟…见个面, 约了后天视频会 (a meeting, not a call),
 * 产品介绍, with dates the reader spells out (后天, 5号, 下周, 下个月5号, 十二月二十三号, 两点半 as 14:30, 明天下午 as 15:00).
 */
const ROUND_SEVEN: [string, Expect][] = [
  ['下午和李部长电话聊了大概40分钟，他们月底前出结果', { cmd: 'call', target: '李部长', minutes: 40, when: true }],
  ['打王总电话没人接', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  ['陈经理电话打通了，聊了一刻钟', { cmd: 'call', target: '陈经理', minutes: 15 }],
  ['刚刚电话了赵姐 二十分钟', { cmd: 'call', target: '赵姐', minutes: 20 }],
  ['和周工电话二十分钟 他说12月15日前定', { cmd: 'call', target: '周工', minutes: 20, when: true }],
  ['给张总打过电话了', { cmd: 'call', target: '张总' }],
  ['刘总 电话 45分钟 下周给答复', { cmd: 'call', target: '刘总', minutes: 45, when: true }],
  ['📱华为 半小时', { cmd: 'call', target: '华为', minutes: 30 }],
  ['定位 赵姐 已经在和两家谈', { cmd: 'position', target: '赵姐', state: 'benchmarking' }],
  ['李部长还在看看阶段', { cmd: 'position', target: '李部长', state: 'exploring' }],
  ['王总主要关心价格', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['张总那边拿了几家报价在比', { cmd: 'position', target: '张总', state: 'benchmarking' }],
  ['定位 刘总 观望中', { cmd: 'position', target: '刘总', state: 'exploring' }],
  ['约王总周五下午3点开会', { cmd: 'meeting', target: '王总', when: true }],
  ['会议 张总 明天14:30', { cmd: 'meeting', target: '张总', when: true }],
  ['下周二上午跟周工见个面', { cmd: 'meeting', target: '周工', when: true }],
  ['和赵姐约了后天视频会', { cmd: 'meeting', target: '赵姐', when: true }],
  ['陈经理要看一下报价', { cmd: 'proposal', target: '陈经理' }],
  ['刘总让发一份产品介绍', { cmd: 'proposal', target: '刘总' }],
  ['要方案 李部长', { cmd: 'proposal', target: '李部长' }],
  ['帮我给周工建群', { cmd: 'group', target: '周工' }],
  ['张总先暂停一下提醒，下周再说', { cmd: 'snooze', target: '张总' }],
  ['刘总这单拿下了', { cmd: 'won', target: '刘总' }],
  ['赵姐那单没戏了', { cmd: 'lost', target: '赵姐' }],
  ['王总预算砍了 丢单', { cmd: 'lost', target: '王总' }],
  ['重开 陈经理', { cmd: 'reopen', target: '陈经理' }],
  ['收到，谢谢', { cmd: 'unknown' }],
];

/**
 * Long call notes with the decision in them: 电话回访了张总, 说明年再看, 跟…定了…见面, 不考虑了.
 */
const ROUND_EIGHT: [string, Expect][] = [
  ['刚才跟陈经理那边通了个电话 聊了差不多二十分钟 他们下周三开会定', { cmd: 'call', target: '陈经理', minutes: 20, when: true }],
  ['王总电话没打通 关机了', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
  ['给周工打电话 他说在开会 晚点回', { cmd: 'call', target: '周工' }],
  ['李部长 call了 15 min', { cmd: 'call', target: '李部长', minutes: 15 }],
  ['电话回访了张总，十分钟左右', { cmd: 'call', target: '张总', minutes: 10 }],
  ['赵姐说她们还在比较供应商', { cmd: 'position', target: '赵姐', state: 'benchmarking' }],
  ['刘总那边就是来问价的', { cmd: 'position', target: '刘总', state: 'price_check' }],
  ['定位 华为 暂时没需求 观望', { cmd: 'position', target: '华为', state: 'exploring' }],
  ['陈经理说明年再看', { cmd: 'position', target: '陈经理', state: 'exploring' }],
  ['约了刘总下周四上午十点腾讯会议', { cmd: 'meeting', target: '刘总', when: true }],
  ['周工明天下午两点开会', { cmd: 'meeting', target: '周工', when: true }],
  ['会议 赵姐 下个月3号下午', { cmd: 'meeting', target: '赵姐', when: true }],
  ['跟王总定了周一早上9点见面', { cmd: 'meeting', target: '王总', when: true }],
  ['张总想要一份详细的报价', { cmd: 'proposal', target: '张总' }],
  ['李部长要我们的案例', { cmd: 'proposal', target: '李部长' }],
  ['建群 陈经理 把采购也拉进来', { cmd: 'group', target: '陈经理' }],
  ['王总那单成交了 👏', { cmd: 'won', target: '王总' }],
  ['刘总不考虑了', { cmd: 'lost', target: '刘总' }],
  ['周工 暂停 5天', { cmd: 'snooze', target: '周工', days: 5 }],
  ['哦哦好', { cmd: 'unknown' }],
];

/**
 * Held out: written after the last change to the parser's rules and never tuned on — how the bot does on phrasings it
 * was not built around. At first sight 29 of 29 (100 %), 6 of them after the one question. Misses, when a change makes
 * one, are listed in HELD_OUT_MISSES, not fixed.
 */
const HELD_OUT: [string, Expect][] = [
  ['上午拜访完华为，顺便电话跟他们IT聊了半小时', { cmd: 'call', target: '华为', minutes: 30 }],
  ['王总 回电 10min', { cmd: 'call', target: '王总', minutes: 10 }],
  ['下班前给赵姐打了个电话，她在外地，下周回来再约', { cmd: 'call', target: '赵姐' }],
  ['李部长电话关机', { cmd: 'call', target: '李部长', outcome: 'no_answer' }],
  ['和刘总电话沟通 方案他们周五前定', { cmd: 'call', target: '刘总', when: true }],
  ['周工：电话 没人接', { cmd: 'call', target: '周工', outcome: 'no_answer' }],
  ['📞 陈经理 25分钟 月底给结论', { cmd: 'call', target: '陈经理', minutes: 25, when: true }],
  ['打电话给张总 占线', { cmd: 'call', target: '张总', outcome: 'no_answer' }],
  ['王总那边在对比三家方案', { cmd: 'position', target: '王总', state: 'benchmarking' }],
  ['定位 刘总 比价格', { cmd: 'position', target: '刘总', state: 'price_check' }],
  ['陈经理就是随便问问', { cmd: 'position', target: '陈经理', state: 'exploring' }],
  ['赵姐她们要招标了', { cmd: 'position', target: '赵姐', state: 'benchmarking' }],
  ['定位 周工 只关心价钱', { cmd: 'position', target: '周工', state: 'price_check' }],
  ['约了张总明天下午三点半线上会议', { cmd: 'meeting', target: '张总', when: true }],
  ['会议 李部长 周三下午', { cmd: 'meeting', target: '李部长', when: true }],
  ['跟陈经理约了下周一上午见面', { cmd: 'meeting', target: '陈经理', when: true }],
  ['周五上午10点和王总开会', { cmd: 'meeting', target: '王总', when: true }],
  ['刘总要一版报价', { cmd: 'proposal', target: '刘总' }],
  ['陈经理让我发份方案给他看看', { cmd: 'proposal', target: '陈经理' }],
  ['给赵姐拉个项目群', { cmd: 'group', target: '赵姐' }],
  ['建群 刘总', { cmd: 'group', target: '刘总' }],
  ['李部长这两天别提醒我', { cmd: 'snooze', target: '李部长' }],
  ['暂停 张总 2周', { cmd: 'snooze', target: '张总', days: 14 }],
  ['华为签约了！！', { cmd: 'won', target: '华为' }],
  ['周工那边黄了', { cmd: 'lost', target: '周工' }],
  ['输单 赵姐 选了友商', { cmd: 'lost', target: '赵姐' }],
  ['重开 刘总', { cmd: 'reopen', target: '刘总' }],
  ['早', { cmd: 'unknown' }],
  ['好的，马上打', { cmd: 'unknown' }],
];

/**
 * Voice input (long, unpunctuated, fillers): …和陈经理视频会议 is a meeting, 王总：…见面, 今年不上了, 暂停提醒 张总, 打不通.
 */
const ROUND_NINE: [string, Expect][] = [
  ['嗯刚才跟王总打了个电话啊聊了大概有二十多分钟吧他说下周三之前给我答复', { cmd: 'call', target: '王总', minutes: 20, when: true }],
  ['那个陈经理的电话我打了三次都没人接', { cmd: 'call', target: '陈经理', outcome: 'no_answer' }],
  ['跟刘总微信语音了一会儿 他们还在对比方案', { cmd: 'call', target: '刘总' }],
  ['张总电话里说他们主要看价格', { cmd: 'call', target: '张总' }],
  ['给赵姐回了电话 十五分钟 她下个月初定', { cmd: 'call', target: '赵姐', minutes: 15, when: true }],
  ['华为那边约了周四下午两点开会', { cmd: 'meeting', target: '华为', when: true }],
  ['明天上午十点半和陈经理视频会议', { cmd: 'meeting', target: '陈经理', when: true }],
  ['约一下李部长 下周二下午', { cmd: 'meeting', target: '李部长', when: true }],
  ['王总：下周一上午10点见面', { cmd: 'meeting', target: '王总', when: true }],
  ['刘总说要看看我们的案例', { cmd: 'proposal', target: '刘总' }],
  ['张总要个正式报价', { cmd: 'proposal', target: '张总' }],
  ['陈经理要一份解决方案', { cmd: 'proposal', target: '陈经理' }],
  ['帮我给李部长建个群', { cmd: 'group', target: '李部长' }],
  ['赵姐这单基本定了 签了', { cmd: 'won', target: '赵姐' }],
  ['周工那边已经下单了', { cmd: 'won', target: '周工' }],
  ['华为那单丢了 被友商抢了', { cmd: 'lost', target: '华为' }],
  ['刘总说预算砍了 今年不上了', { cmd: 'lost', target: '刘总' }],
  ['暂停提醒 张总 一周', { cmd: 'snooze', target: '张总', days: 7 }],
  ['王总先别提醒了 下个月再说', { cmd: 'snooze', target: '王总' }],
  ['定位 李部长：比价', { cmd: 'position', target: '李部长', state: 'price_check' }],
  ['陈经理他们是在观望吧', { cmd: 'position', target: '陈经理', state: 'exploring' }],
  ['赵姐应该是陪跑的', { cmd: 'position', target: '赵姐', state: 'benchmarking' }],
  ['周工 在看看别家', { cmd: 'position', target: '周工', state: 'benchmarking' }],
  ['📞赵姐 没接', { cmd: 'call', target: '赵姐', outcome: 'no_answer' }],
  ['电话 张总 半小时 他说月中定', { cmd: 'call', target: '张总', minutes: 30, when: true }],
  ['今天跟进哪些客户', { cmd: 'today' }],
  ['王总的电话 打不通', { cmd: 'call', target: '王总', outcome: 'no_answer' }],
];

const ALL: [string, Expect][] = [
  ...TABLE,
  ...ROUND_TWO,
  ...ROUND_THREE,
  ...ROUND_FOUR,
  ...ROUND_FIVE,
  ...ROUND_SIX,
  ...ROUND_SEVEN,
  ...ROUND_EIGHT,
  ...ROUND_NINE,
];

/** Inputs not understood yet (README lists them): each must still fail, so the list stays true. */
const NOT_YET = new Set<string>([]);

/**
 * What the bot does with a message (src/app/rep-commands.ts): the command it parses; or, when the parsed customer is
 * written with words around one customer's name (「帮我约李部长」), the command for that customer proposed in one
 * question (the text it would confirm is parsed again); or the best guess for an unclear message; or nothing.
 */
function reading(text: string): { how: 'parsed' | 'guessed' | 'missed'; got?: RepCommand } {
  const p = parseCommand(text, NOW, TZ);
  if (p.cmd !== 'unknown') {
    if (p.cmd === 'help' || p.cmd === 'today' || p.cmd === 'lead' || p.cmd === 'merge' || p.cmd === 'too_long') return { how: 'parsed', got: p };
    const i = customerInside(
      p.target,
      CUSTOMERS.map((n) => [n]),
    );
    return i === undefined ? { how: 'parsed', got: p } : { how: 'guessed', got: parseCommand(commandText(p, CUSTOMERS[i] as string), NOW, TZ) };
  }
  const g = guessCommand(text, CUSTOMERS);
  return g ? { how: 'guessed', got: g } : { how: 'missed', got: p };
}

function matches(got: RepCommand | undefined, e: Expect): boolean {
  if (!got || got.cmd !== e.cmd) return false;
  const g = got as Record<string, unknown>;
  for (const k of ['target', 'minutes', 'outcome', 'state', 'days', 'reason'] as const) if (e[k] !== undefined && g[k] !== e[k]) return false;
  if (e.when !== undefined) {
    const w = got.cmd === 'call' ? got.decision : got.cmd === 'meeting' ? got.when : undefined;
    if (!!w !== e.when) return false;
  }
  return true;
}

test('the table has at least 150 inputs, no two the same', () => {
  expect(ALL.length).toBeGreaterThanOrEqual(150);
  expect(new Set([...ALL, ...HELD_OUT].map(([t]) => t)).size).toBe(ALL.length + HELD_OUT.length);
});

test.each(ALL.filter(([t]) => !NOT_YET.has(t)))('%s', (text, expected) => {
  const r = reading(text);
  expect({ ...r.got, input: text }).toMatchObject({ input: text, cmd: expected.cmd });
  expect(matches(r.got, expected)).toBe(true);
});

test('the inputs listed as not understood yet are still not understood', () => {
  for (const text of NOT_YET) {
    const e = ALL.find(([t]) => t === text)?.[1] as Expect;
    expect({ text, understood: matches(reading(text).got, e) }).toEqual({ text, understood: false });
  }
});

test('the share understood, as README reports it', () => {
  const rows = ALL.map(([t, e]) => ({ t, r: reading(t), ok: matches(reading(t).got, e) }));
  const parsed = rows.filter((x) => x.ok && x.r.how === 'parsed').length;
  const guessed = rows.filter((x) => x.ok && x.r.how === 'guessed').length;
  const hinted = rows.filter((x) => x.ok && x.r.how === 'missed').length;
  const share = rows.filter((x) => x.ok).length / rows.length;
  process.stdout.write(
    `phrasing table: ${rows.length} inputs; understood ${(share * 100).toFixed(1)} %: ${parsed} read directly, ${guessed} after one question, ${hinted} rightly not read as a command\n`,
  );
  expect(share).toBeGreaterThanOrEqual(0.95);
});
/** HELD_OUT inputs the bot does not understand (README lists them): each must still fail, so the list stays true. */
const HELD_OUT_MISSES = new Set<string>([]);

test.each(HELD_OUT.filter(([t]) => !HELD_OUT_MISSES.has(t)))('held out: %s', (text, expected) => {
  expect({ input: text, understood: matches(reading(text).got, expected), got: reading(text).got }).toMatchObject({ input: text, understood: true });
});

test('held out: the misses listed are still misses, and the share is reported', () => {
  for (const text of HELD_OUT_MISSES) {
    const e = HELD_OUT.find(([t]) => t === text)?.[1] as Expect;
    expect({ text, understood: matches(reading(text).got, e) }).toEqual({ text, understood: false });
  }
  const ok = HELD_OUT.filter(([t, e]) => matches(reading(t).got, e)).length;
  process.stdout.write(`phrasing held out: ${HELD_OUT.length} inputs; understood ${ok} (${((ok / HELD_OUT.length) * 100).toFixed(1)} %)\n`);
  expect(ok / HELD_OUT.length).toBeGreaterThanOrEqual(0.8);
});
